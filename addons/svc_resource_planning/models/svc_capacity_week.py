from collections import defaultdict
from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.resource.models.utils import Intervals

from .capacity_math import split_hours_by_week_monday, week_figures, week_label, week_monday

FIGURES = (
    "available_hours",
    "holiday_hours",
    "leave_hours",
    "tentative_leave_hours",
    "confirmed_hours",
    "tentative_hours",
    "free_hours",
    "utilization",
)
MAX_WINDOW_DAYS = 366 * 2
BENCH_UTILIZATION = 0.5
REPORT_WEEKS_BEFORE = 4
REPORT_WEEKS_AFTER = 26


def _hours_by_local_day(intervals, tz):
    """{date: hours} of tz-aware intervals, each counted on its local day in ``tz``."""
    result = defaultdict(float)
    for start, stop, _meta in intervals:
        result[start.astimezone(tz).date()] += (stop - start).total_seconds() / 3600
    return result


class SvcCapacityWeek(models.Model):
    """Capacity of one employee in one ISO week: what the calendar offers, what holidays and
    leave take, what is already booked and what is left.

    A read-only report: rows are (re)filled for a window by one batched computation
    (`_refresh`), never edited. `get_capacity` returns the same figures without storing them.
    """

    _name = "svc.capacity.week"
    _description = "Weekly Capacity"
    _order = "week_start, employee_id"
    _rec_name = "week_label"

    # indexed by the unique (employee_id, week_start) constraint
    employee_id = fields.Many2one("hr.employee", required=True, readonly=True, ondelete="cascade")
    department_id = fields.Many2one("hr.department", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    manager_user_id = fields.Many2one(
        "res.users",
        "Manager",
        readonly=True,
        index="btree_not_null",
        help="The user of the employee's manager.",
    )
    week_start = fields.Date("Week", required=True, readonly=True, index=True, help="Monday of the ISO week.")
    week_label = fields.Char("ISO Week", required=True, readonly=True)
    available_hours = fields.Float(
        "Available (h)",
        readonly=True,
        help="Working time of the calendar less public holidays and validated leave.",
    )
    holiday_hours = fields.Float("Public Holidays (h)", readonly=True)
    leave_hours = fields.Float("Leave (h)", readonly=True, help="Validated leave, already deducted.")
    tentative_leave_hours = fields.Float(
        "Tentative Leave (h)",
        readonly=True,
        help="Leave requested but not validated yet: not deducted, a risk.",
    )
    confirmed_hours = fields.Float("Allocated Confirmed (h)", readonly=True)
    tentative_hours = fields.Float("Allocated Tentative (h)", readonly=True)
    free_hours = fields.Float("Free (h)", readonly=True)
    utilization = fields.Float(
        readonly=True, group_operator="avg", help="Confirmed allocations / available hours."
    )
    is_over_allocated = fields.Boolean(
        "Over-allocated", readonly=True, help="Confirmed allocations exceed the available hours."
    )
    is_bench = fields.Boolean("On the Bench", readonly=True, help="Utilization under 50%.")

    _sql_constraints = [
        (
            "employee_week_unique",
            "UNIQUE(employee_id, week_start)",
            "One capacity row per employee and week.",
        ),
    ]

    # ------------------------------------------------------------------ RPC
    @api.model
    def get_capacity(self, employee_ids, date_from, date_to):
        """Capacity per employee and ISO week over [date_from, date_to] as plain data.

        Returns ``[{"employee_id", "employee", "week_start", "week", <figures>}]`` sorted by
        employee then week; partial weeks at the window's edges count only the days inside.
        Only employees the caller may see are returned.
        """
        date_from, date_to = self._parse_window(date_from, date_to)
        if not isinstance(employee_ids, list | tuple) or not all(isinstance(i, int) for i in employee_ids):
            raise UserError(_("Pass employee_ids as a list of employee ids."))
        employees = self.env["hr.employee"].search([("id", "in", list(employee_ids))], order="id")
        capacity = self._compute_capacity(employees, date_from, date_to)
        labels = {}
        rows = []
        for employee in employees:
            name = employee.name
            for monday, figures in sorted(capacity[employee.id].items()):
                if monday not in labels:
                    labels[monday] = (fields.Date.to_string(monday), week_label(monday))
                week_start, label = labels[monday]
                row = dict(figures)
                row.update(employee_id=employee.id, employee=name, week_start=week_start, week=label)
                rows.append(row)
        return rows

    @api.model
    def action_open_capacity(self):
        """Refresh the report for the visible employees around today, then open it."""
        today = fields.Date.context_today(self)
        monday = week_monday(today)
        employees = self.env["hr.employee"].search([])
        self._refresh(
            employees,
            monday - timedelta(weeks=REPORT_WEEKS_BEFORE),
            monday + timedelta(weeks=REPORT_WEEKS_AFTER, days=-1),
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "svc_resource_planning.action_svc_capacity_week"
        )
        if self.env.context.get("svc_capacity_bench"):
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "svc_resource_planning.action_svc_capacity_bench"
            )
        return action

    # ------------------------------------------------------------- business
    @api.model
    def _cron_report_bench(self):
        """Refresh the next four weeks and keep one exception per company naming who is on the
        bench (under 50% confirmed); it is resolved when nobody is."""
        today = fields.Date.context_today(self)
        monday = week_monday(today)
        date_to = monday + timedelta(weeks=4, days=-1)
        Exception_ = self.env["svc.exception"]
        for company in self.env["res.company"].search([]):
            employees = self.env["hr.employee"].sudo().search([("company_id", "=", company.id)])
            if not employees:
                continue
            self._refresh(employees, monday, date_to)
            rows = self.sudo().search(
                [("company_id", "=", company.id), ("week_start", ">=", monday), ("week_start", "<=", date_to),
                 ("is_bench", "=", True), ("available_hours", ">", 0)]
            )  # fmt: skip
            if not rows:
                Exception_.resolve_for(company, "staffing_bench", _("Nobody is on the bench."))
                continue
            names = sorted(set(rows.employee_id.mapped("name")))
            Exception_.raise_for(
                company,
                "staffing_bench",
                "staffing",
                _("%(count)s employees on the bench in the next four weeks\n%(names)s",
                  count=len(names), names=", ".join(names)),
                severity="low",
            )  # fmt: skip
        return True

    @api.model
    def _parse_window(self, date_from, date_to):
        try:
            date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except (TypeError, ValueError) as error:
            raise UserError(_("Give the dates as YYYY-MM-DD: %s", error)) from error
        if not date_from or not date_to:
            raise UserError(_("Give both a start and an end date (YYYY-MM-DD)."))
        if date_to < date_from:
            raise UserError(
                _("The end date %(to)s is before the start date %(from)s.", to=date_to, **{"from": date_from})
            )
        if (date_to - date_from).days > MAX_WINDOW_DAYS:
            raise UserError(_("Ask for at most two years of capacity at once."))
        return date_from, date_to

    @api.model
    def _refresh(self, employees, date_from, date_to):
        """Recompute and upsert the rows of ``employees`` for the whole ISO weeks covering
        [date_from, date_to]: one batched computation, one INSERT ... ON CONFLICT."""
        date_from = week_monday(date_from)
        date_to = week_monday(date_to) + timedelta(days=6)
        employees = employees.sudo()
        capacity = self._compute_capacity(employees, date_from, date_to)
        columns = {
            name: []
            for name in (
                "employee_id",
                "department_id",
                "company_id",
                "manager_user_id",
                "week_start",
                "week_label",
                *FIGURES,
                "is_over_allocated",
                "is_bench",
            )
        }
        for employee in employees:
            manager_user = employee.parent_id.user_id.id or None
            for monday, figures in capacity[employee.id].items():
                columns["employee_id"].append(employee.id)
                columns["department_id"].append(employee.department_id.id or None)
                columns["company_id"].append(employee.company_id.id)
                columns["manager_user_id"].append(manager_user)
                columns["week_start"].append(monday)
                columns["week_label"].append(week_label(monday))
                for name in FIGURES:
                    columns[name].append(figures[name])
                columns["is_over_allocated"].append(
                    figures["confirmed_hours"] > figures["available_hours"] + 0.005
                )
                columns["is_bench"].append(figures["utilization"] < BENCH_UTILIZATION)
        rows = columns["employee_id"]
        if rows:
            types = dict.fromkeys(columns, "float8[]")
            types.update(employee_id="int4[]", department_id="int4[]", company_id="int4[]",
                         manager_user_id="int4[]", week_start="date[]", week_label="varchar[]",
                         is_over_allocated="bool[]", is_bench="bool[]")  # fmt: skip
            names = ", ".join(columns)
            updates = ", ".join(
                f"{column} = EXCLUDED.{column}"
                for column in columns
                if column not in ("employee_id", "week_start")
            )
            # one statement with one array per column (constant column names)
            self.env.cr.execute(
                f"""
                INSERT INTO svc_capacity_week ({names}, create_uid, create_date, write_uid, write_date)
                SELECT *, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC'
                  FROM unnest({", ".join(f"%s::{types[column]}" for column in columns)})
                ON CONFLICT (employee_id, week_start) DO UPDATE
                   SET {updates}, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                [self.env.uid, self.env.uid, *columns.values()],
            )
            self.invalidate_model()
        return len(rows)

    @api.model
    def _compute_capacity(self, employees, date_from, date_to, exclude_allocation_ids=()):
        """The heart: ``{employee_id: {monday: figures}}`` for every ISO week touching
        [date_from, date_to] (days outside the window do not count).

        One `_work_intervals_batch` per working calendar for all its employees (calendar
        time only), one query for public holidays and validated leave
        (`resource.calendar.leaves`), one for pending leave (`hr.leave` to approve), one for
        allocations. ``exclude_allocation_ids`` leaves allocations out (e.g. the one being
        confirmed, to add it on top).
        """
        result = {employee.id: {} for employee in employees}
        if not employees:
            return result
        employees = employees.sudo()
        employees.fetch(["resource_id", "resource_calendar_id", "company_id"])
        resources = employees.resource_id
        resources.fetch(["tz", "calendar_id", "company_id"])
        start_dt = utc.localize(datetime.combine(date_from - timedelta(days=1), time.min))
        end_dt = utc.localize(datetime.combine(date_to + timedelta(days=2), time.min))

        # 1. calendar time, all employees of a calendar in one call
        resources_by_calendar = defaultdict(lambda: self.env["resource.resource"].sudo())
        for employee in employees:
            calendar = (
                employee.resource_calendar_id
                or employee.company_id.resource_calendar_id
                or self.env.company.resource_calendar_id
            )
            resources_by_calendar[calendar] |= employee.resource_id
        work = {}
        calendar_of = {}
        for calendar, calendar_resources in resources_by_calendar.items():
            intervals = calendar._work_intervals_batch(
                start_dt, end_dt, calendar_resources, compute_leaves=False
            )
            for resource in calendar_resources:
                work[resource.id] = intervals[resource.id]
                calendar_of[resource.id] = calendar

        # 2. public holidays and validated leave, one query
        self.env["resource.calendar.leaves"].flush_model()
        self.env.cr.execute(
            """
            SELECT resource_id, calendar_id, company_id, date_from, date_to
              FROM resource_calendar_leaves
             WHERE time_type = 'leave'
               AND date_from < %s AND date_to > %s
               AND (resource_id IS NULL OR resource_id IN %s)
            """,
            [end_dt.replace(tzinfo=None), start_dt.replace(tzinfo=None), tuple(resources.ids)],
        )
        no_records = self.env["resource.calendar.leaves"]
        holidays_by_company = defaultdict(list)
        leaves_by_resource = defaultdict(list)
        for resource_id, calendar_id, company_id, leave_from, leave_to in self.env.cr.fetchall():
            interval = (utc.localize(leave_from), utc.localize(leave_to), no_records)
            if resource_id:
                leaves_by_resource[resource_id].append(interval)
            else:
                holidays_by_company[company_id].append((calendar_id, interval))

        # 3. pending leave (to approve, or second approval), one query
        self.env["hr.leave"].flush_model(["employee_id", "state", "date_from", "date_to", "holiday_type"])
        self.env.cr.execute(
            """
            SELECT employee_id, date_from, date_to
              FROM hr_leave
             WHERE state IN ('confirm', 'validate1') AND holiday_type = 'employee'
               AND employee_id IN %s AND date_from < %s AND date_to > %s
            """,
            [tuple(employees.ids), end_dt.replace(tzinfo=None), start_dt.replace(tzinfo=None)],
        )
        pending_by_employee = defaultdict(list)
        for employee_id, leave_from, leave_to in self.env.cr.fetchall():
            pending_by_employee[employee_id].append(
                (utc.localize(leave_from), utc.localize(leave_to), no_records)
            )

        # 4. allocations, one query
        booked = self._allocated_hours_by_week(employees, date_from, date_to, exclude_allocation_ids)

        # per employee: bucket by local day, then by ISO week inside the window. Employees of
        # one calendar, time zone and company share the very same calendar intervals and
        # holidays: their base weeks are computed once.
        days = []
        day = date_from
        while day <= date_to:
            days.append((day, week_monday(day)))
            day += timedelta(days=1)
        base_cache = {}
        for employee in employees:
            resource = employee.resource_id
            tz = timezone(resource.tz or "UTC")
            calendar = calendar_of[resource.id]
            gross = work[resource.id]
            base_key = (id(gross), str(tz), resource.company_id.id, calendar.id)
            if base_key not in base_cache:
                holidays = Intervals(
                    [
                        interval
                        for calendar_id, interval in holidays_by_company[resource.company_id.id]
                        if not calendar_id or calendar_id == calendar.id
                    ]
                )
                gross_days = _hours_by_local_day(gross, tz)
                holiday_days = _hours_by_local_day(gross & holidays, tz) if holidays else {}
                after_holidays = gross - holidays if holidays else gross
                base_weeks = defaultdict(lambda: [0.0, 0.0])
                for day, monday in days:
                    week = base_weeks[monday]
                    week[0] += gross_days.get(day, 0.0)
                    week[1] += holiday_days.get(day, 0.0)
                base_cache[base_key] = (after_holidays, dict(base_weeks))
            after_holidays, base_weeks = base_cache[base_key]
            leaves = leaves_by_resource.get(resource.id)
            pending = pending_by_employee.get(employee.id)
            leave_weeks, pending_weeks = {}, {}
            if leaves or pending:
                leaves = Intervals(leaves or [])
                available = after_holidays - leaves if leaves else after_holidays
                leave_days = _hours_by_local_day(after_holidays & leaves, tz) if leaves else {}
                pending_days = _hours_by_local_day(available & Intervals(pending), tz) if pending else {}
                for day, monday in days:
                    if day in leave_days:
                        leave_weeks[monday] = leave_weeks.get(monday, 0.0) + leave_days[day]
                    if day in pending_days:
                        pending_weeks[monday] = pending_weeks.get(monday, 0.0) + pending_days[day]
            employee_booked = booked.get(employee.id, {})
            result[employee.id] = {
                monday: week_figures(
                    max(0.0, gross_hours - holiday_hours - leave_weeks.get(monday, 0.0)),
                    holiday_hours,
                    leave_weeks.get(monday, 0.0),
                    pending_weeks.get(monday, 0.0),
                    *employee_booked.get(monday, (0.0, 0.0)),
                )
                for monday, (gross_hours, holiday_hours) in base_weeks.items()
            }
        return result

    @api.model
    def _allocated_hours_by_week(self, employees, date_from, date_to, exclude_allocation_ids=()):
        """``{employee_id: {monday: (confirmed, tentative)}}`` of the allocations overlapping the
        window, each clipped to it and prorated by working days."""
        self.env["svc.resource.allocation"].flush_model(
            ["employee_id", "date_from", "date_to", "hours_per_week", "state"]
        )
        self.env.cr.execute(
            """
            SELECT employee_id, date_from, date_to, hours_per_week, state
              FROM svc_resource_allocation
             WHERE state IN ('confirmed', 'tentative') AND employee_id IN %s
               AND date_from <= %s AND date_to >= %s AND NOT (id = ANY(%s))
            """,
            [tuple(employees.ids), date_to, date_from, list(exclude_allocation_ids)],
        )
        booked = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
        for employee_id, alloc_from, alloc_to, hours_per_week, state in self.env.cr.fetchall():
            split = split_hours_by_week_monday(
                max(alloc_from, date_from), min(alloc_to, date_to), hours_per_week
            )
            column = 0 if state == "confirmed" else 1
            for monday, hours in split.items():
                booked[employee_id][monday][column] += hours
        return booked
