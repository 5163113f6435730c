from collections import defaultdict
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.svc_ops_base.models.rpc_args import date_argument, ids_argument, number_argument

from .capacity_math import week_monday

THRESHOLD_PARAM = "svc_resource_planning.timesheet_compliance_threshold"
DEFAULT_THRESHOLD = 90.0
ESCALATION_DELAY = timedelta(days=6)  # "a week later", tolerant of a weekly cron starting a little early
EXCEPTION_KEY = "timesheet_compliance"
BATCH_SIZE = 100  # employees per batch: each batch costs the same fixed number of queries


class SvcTimesheetCompliance(models.Model):
    """Logged versus expected hours of one employee in one ISO week.

    Rows are (re)computed by the weekly scheduled action or on demand for a date range;
    below the threshold the employee is reminded once, and still below a week later the
    manager is escalated to once, with an exception in the queue.
    """

    _name = "svc.timesheet.compliance"
    _description = "Timesheet Compliance (employee week)"
    _order = "week_start desc, employee_id"
    _rec_name = "employee_id"

    employee_id = fields.Many2one("hr.employee", required=True, readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", "User", readonly=True, index="btree_not_null")
    department_id = fields.Many2one("hr.department", readonly=True, index="btree_not_null")
    manager_id = fields.Many2one("hr.employee", "Manager", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    week_start = fields.Date("Week", required=True, readonly=True, index=True, help="Monday of the ISO week.")
    expected_hours = fields.Float(
        readonly=True, help="Working time of the calendar minus public holidays and validated leave."
    )
    logged_hours = fields.Float(readonly=True)
    overtime_approved_hours = fields.Float(
        "Approved Overtime", readonly=True,
        help="Extra hours of the week approved by Overtime service requests.",
    )  # fmt: skip
    overtime_unapproved_hours = fields.Float(
        "Unapproved Overtime", readonly=True,
        help="Hours logged above the expected hours and the approved overtime: ask for an Overtime "
        "service request (Time & Billing > Service Requests) to cover them.",
    )  # fmt: skip
    rate = fields.Float(
        "Compliance (%)", readonly=True, group_operator="avg",
        help="Logged / expected hours. Grouped rows show the ratio of the sums (a company rate), not an average.",
    )  # fmt: skip
    state = fields.Selection(
        [("compliant", "Compliant"), ("below", "Below Threshold")], required=True, readonly=True, index=True
    )
    reminder_sent_at = fields.Datetime(readonly=True)
    escalated_at = fields.Datetime(readonly=True)
    reminder_week_ids = fields.Many2many(
        "svc.timesheet.compliance", compute="_compute_reminder_week_ids", string="Weeks to Remind",
        help="This employee's weeks below threshold not reminded yet, this one included: one reminder lists them.",
    )  # fmt: skip

    _sql_constraints = [
        (
            "employee_week_uniq",
            "unique(employee_id, week_start)",
            "One compliance row per employee and week.",
        ),
    ]

    def _compute_reminder_week_ids(self):
        pending = self.search_fetch(
            [("employee_id", "in", self.employee_id.ids), ("state", "=", "below"), ("reminder_sent_at", "=", False)],
            ["employee_id", "week_start", "rate"], order="week_start",
        )  # fmt: skip
        by_employee = defaultdict(lambda: self.browse())
        for row in pending:
            by_employee[row.employee_id] |= row
        for row in self:
            row.reminder_week_ids = by_employee[row.employee_id] | (
                row if row.state == "below" else self.browse()
            )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Grouped compliance is the ratio of the sums: the pivot's total is the company rate."""
        wants_rate = any(spec.split(":")[0] == "rate" for spec in fields)
        if wants_rate:
            fields = [spec for spec in fields if spec.split(":")[0] != "rate"]
            fields += ["logged_hours:sum", "expected_hours:sum"]
        groups = super().read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
        )
        if wants_rate:
            for group in groups:
                expected = group.get("expected_hours") or 0.0
                group["rate"] = (group.get("logged_hours") or 0.0) / expected * 100.0 if expected else 100.0
        return groups

    # --------------------------------------------------------------- actions
    @api.model
    def action_compute(self, date_from, date_to, employee_ids=None, notify=True, batch_size=BATCH_SIZE):
        """Compute the rows of every ISO week touching [date_from, date_to] and notify.

        On demand and over RPC; running it twice notifies nobody twice. Employees are
        processed in batches of a fixed number of queries (the cron commits after each).
        Returns the number of employee-weeks computed. Rows are written and reminders sent
        as the system, so only timesheet approvers (who see every week) may ask for it.
        """
        if not (self.env.su or self.env.user.has_group("hr_timesheet.group_hr_timesheet_approver")):
            raise AccessError(
                _(
                    "Only timesheet approvers may compute timesheet compliance and send its reminders; "
                    "you can read your own weeks. Ask a timesheet approver to run it."
                )
            )
        date_from, date_to = date_argument(date_from, "date_from"), date_argument(date_to, "date_to")
        employee_ids = ids_argument(employee_ids, "employee_ids")
        batch_size = int(number_argument(batch_size, "batch_size", positive=True))
        if date_to < date_from:
            raise UserError(_("Give a date range whose end is on or after its start (YYYY-MM-DD)."))
        employees = (
            self.env["hr.employee"].browse(employee_ids)
            if employee_ids
            else self.env["hr.employee"].search([("company_id", "in", self.env.companies.ids)])
        )
        first_monday, last_monday = week_monday(date_from), week_monday(date_to)
        computed = 0
        for start in range(0, len(employees), batch_size):
            rows = self._compute_rows(employees[start : start + batch_size], first_monday, last_monday)
            if notify:
                rows._notify()
            computed += len(rows)
            if self.env.context.get("svc_cron_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return computed

    @api.model
    def get_company_rate(self, date_from, date_to):
        """The company compliance rate (logged / expected, %) over the weeks in the range."""
        date_from, date_to = date_argument(date_from, "date_from"), date_argument(date_to, "date_to")
        [group] = self.read_group(
            [
                ("week_start", ">=", week_monday(date_from)),
                ("week_start", "<=", date_to),
            ],
            ["rate"],
            [],
        )
        return round(group["rate"], 2)

    @api.model
    def _cron_check_compliance(self):
        """Weekly: last week is computed and reminded; the week before is recomputed
        (late entries count) and escalated when still below a week after its reminder."""
        last_monday = week_monday(fields.Date.context_today(self)) - timedelta(days=7)
        return self.action_compute(last_monday - timedelta(days=7), last_monday)

    # -------------------------------------------------------------- business
    @api.model
    def _threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(THRESHOLD_PARAM, DEFAULT_THRESHOLD)
        return float(value)

    @api.model
    def _svc_expected_hours(self, employees, date_from, date_to):
        """{(employee_id, iso_week_monday): hours} expected in [date_from, date_to): the
        available hours of the capacity computation (calendar minus public holidays minus
        validated leave), so staffing and compliance never disagree on what a week holds."""
        capacity = self.env["svc.capacity.week"]._compute_capacity(
            employees, date_from, date_to - timedelta(days=1)
        )
        return {
            (employee_id, monday): figures["available_hours"]
            for employee_id, weeks in capacity.items()
            for monday, figures in weeks.items()
        }

    @api.model
    def _compute_rows(self, employees, first_monday, last_monday):
        """Upsert the rows of these employees for the weeks first_monday..last_monday: a
        fixed number of queries whatever the number of employees and weeks."""
        if not employees:
            return self.browse()
        end = last_monday + timedelta(days=7)
        expected = self._svc_expected_hours(employees, first_monday, end)
        logged = defaultdict(float)
        lines = self.env["account.analytic.line"].sudo()
        domain = [("project_id", "!=", False), ("employee_id", "in", employees.ids),
                  ("date", ">=", first_monday), ("date", "<", end)]  # fmt: skip
        # time off booked as timesheets (project_timesheet_holidays) is not logged work:
        # it is already out of the expected hours
        domain += [(name, "=", False) for name in ("holiday_id", "global_leave_id") if name in lines._fields]
        for employee, day, hours in lines._read_group(
            domain,
            ["employee_id", "date:day"],
            ["unit_amount:sum"],
        ):  # fmt: skip
            logged[(employee.id, week_monday(day))] += hours
        overtime = defaultdict(float)
        for employee, monday, hours in self.env["svc.service.request"].sudo()._read_group(
            [("effect", "=", "overtime"), ("state", "=", "approved"), ("employee_id", "in", employees.ids),
             ("week_start", ">=", first_monday), ("week_start", "<", end)],
            ["employee_id", "week_start:day"], ["hours:sum"],
        ):  # fmt: skip
            overtime[(employee.id, week_monday(monday))] += hours
        threshold = self._threshold()
        mondays = [first_monday + timedelta(weeks=index) for index in range((end - first_monday).days // 7)]
        values = []
        now, uid = fields.Datetime.now(), self.env.uid
        employees.fetch(["user_id", "department_id", "parent_id", "company_id"])
        for employee in employees:
            for monday in mondays:
                exp, log = expected.get((employee.id, monday), 0.0), logged.get((employee.id, monday), 0.0)
                if not exp and not log:
                    continue  # nothing expected, nothing logged: nothing to say
                rate = log / exp * 100.0 if exp else 100.0
                state = "compliant" if rate >= threshold - 1e-9 else "below"
                approved = overtime.get((employee.id, monday), 0.0)
                unapproved = max(log - exp - approved, 0.0)
                values.append((
                    employee.id, employee.user_id.id or None, employee.department_id.id or None,
                    employee.parent_id.id or None, employee.company_id.id, monday, round(exp, 4),
                    round(log, 4), round(approved, 4), round(unapproved, 4), round(rate, 4), state,
                    uid, now, uid, now,
                ))  # fmt: skip
        if not values:
            return self.browse()
        self.flush_model()
        # raw upsert: one statement for every employee-week, notification stamps kept
        rows = execute_values(
            self.env.cr._obj,
            """
            INSERT INTO svc_timesheet_compliance
                (employee_id, user_id, department_id, manager_id, company_id, week_start, expected_hours,
                 logged_hours, overtime_approved_hours, overtime_unapproved_hours, rate, state,
                 create_uid, create_date, write_uid, write_date)
            VALUES %s
            ON CONFLICT (employee_id, week_start) DO UPDATE SET
                user_id = EXCLUDED.user_id, department_id = EXCLUDED.department_id,
                manager_id = EXCLUDED.manager_id, expected_hours = EXCLUDED.expected_hours,
                logged_hours = EXCLUDED.logged_hours, overtime_approved_hours = EXCLUDED.overtime_approved_hours,
                overtime_unapproved_hours = EXCLUDED.overtime_unapproved_hours,
                rate = EXCLUDED.rate, state = EXCLUDED.state,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            RETURNING id
            """,
            values,
            page_size=max(len(values), 1),
            fetch=True,
        )
        self.invalidate_model()
        return self.browse([row[0] for row in rows])

    def _notify(self):
        """Remind once, escalate once a week after the reminder, resolve when compliant."""
        now = fields.Datetime.now()
        to_remind = self.filtered(lambda row: row.state == "below" and not row.reminder_sent_at)
        to_escalate = self.filtered(
            lambda row: row.state == "below" and row.reminder_sent_at and not row.escalated_at
            and row.reminder_sent_at <= now - ESCALATION_DELAY
        )  # fmt: skip
        recovered = self.filtered(lambda row: row.state == "compliant" and row.escalated_at)
        if to_remind:
            to_remind._send_reminders().sudo().write({"reminder_sent_at": now})
        if to_escalate:
            to_escalate._escalate()
            to_escalate.sudo().write({"escalated_at": now})
        if recovered:
            self.env["svc.exception"].resolve_for(recovered, EXCEPTION_KEY, _("Timesheets completed."))

    def _send_reminders(self):
        """One reminder per employee, whatever the number of weeks below: an activity and
        the reminder email listing those weeks (rendered in one batch). A mail template
        render is what a reminder costs, so it is paid once per person, not per week."""
        latest = {}
        for row in self.sorted("week_start"):
            latest[row.employee_id] = row
        heads = self.browse([row.id for row in latest.values()])
        template = self.env.ref("svc_resource_planning.mail_template_timesheet_reminder")
        rendered = template.sudo()._generate_template(
            heads.ids, ["subject", "body_html", "email_from", "email_to"]
        )
        reply_to = self._reply_to_by_row(heads, rendered)
        todo = self.env.ref("mail.mail_activity_data_todo")
        employee_model = self.env["ir.model"]._get_id("hr.employee")
        mails, activities = [], []
        for head in heads:
            values = rendered[head.id]
            if values.get("email_to"):
                mails.append({
                    "subject": values["subject"], "body_html": values["body_html"],
                    "email_from": values["email_from"], "email_to": values["email_to"],
                    "reply_to": reply_to[head.id], "model": self._name, "res_id": head.id, "auto_delete": True,
                })  # fmt: skip
            if head.user_id:
                weeks = ", ".join(_("week of %(week)s (%(rate)s%% logged)", week=week.week_start, rate=round(week.rate))
                                  for week in head.reminder_week_ids)  # fmt: skip
                activities.append(self._activity_values(head, employee_model, todo, head.user_id,
                    _("Complete your timesheets: %(weeks)s", weeks=weeks)))  # fmt: skip
        self.env["mail.mail"].sudo().create(mails)
        self.env["mail.activity"]._svc_create_batch(activities)
        return self | heads.reminder_week_ids

    @api.model
    def _reply_to_by_row(self, rows, rendered):
        """{row id: reply-to}: what mail.message would compute for each mail, asked once per
        sender instead of once per mail (an alias search each)."""
        by_sender = defaultdict(list)
        for row in rows:
            by_sender[rendered[row.id].get("email_from")].append(row.id)
        reply_to = {}
        for sender, row_ids in by_sender.items():
            reply_to.update(self.browse(row_ids)._notify_get_reply_to(default=sender))
        return reply_to

    def _escalate(self):
        """An activity for the manager and an exception in the queue, once per employee-week."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        employee_model = self.env["ir.model"]._get_id("hr.employee")
        activities, exceptions = [], []
        for row in self:
            manager_user = row.manager_id.user_id
            message = _(
                "Timesheets of %(employee)s for the week of %(week)s still below threshold\n"
                "%(logged)s of %(expected)s hours logged (%(rate)s%%) a week after the reminder.",
                employee=row.employee_id.name, week=row.week_start, logged=round(row.logged_hours, 2),
                expected=round(row.expected_hours, 2), rate=round(row.rate),
            )  # fmt: skip
            if manager_user:
                activities.append(
                    self._activity_values(row, employee_model, todo, manager_user, message.split("\n")[0])
                )
            exceptions.append({"record": row, "message": message, "owner": manager_user or None})
        self.env["svc.exception"]._raise_many(EXCEPTION_KEY, "timesheet", exceptions, severity="medium")
        self.env["mail.activity"]._svc_create_batch(activities)

    @staticmethod
    def _activity_values(row, employee_model, activity_type, user, summary):
        return {
            "res_model_id": employee_model,
            "res_id": row.employee_id.id,
            "activity_type_id": activity_type.id,
            "user_id": user.id,
            "summary": summary,
            "date_deadline": fields.Date.context_today(row),
        }
