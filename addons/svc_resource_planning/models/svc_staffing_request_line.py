from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .capacity_math import candidate_score, candidate_sort_key, split_hours_by_week_monday, week_label

CANDIDATE_LIMIT = 10


class SvcStaffingRequestLine(models.Model):
    """One role a staffing request needs filled: skills, hours per week, dates."""

    _name = "svc.staffing.request.line"
    _description = "Staffing Request Role"
    _order = "request_id, sequence, id"
    _rec_name = "role"

    request_id = fields.Many2one("svc.staffing.request", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    role = fields.Char(required=True, help="What the person does, e.g. Odoo Developer.")
    skill_ids = fields.One2many("svc.staffing.skill", "line_id", "Required Skills", copy=True)
    hours_per_week = fields.Float("Hours per Week", required=True, default=40.0)
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", "Sales Order Item", index="btree_not_null", ondelete="set null"
    )
    allocation_id = fields.Many2one(
        "svc.resource.allocation", "Allocation", readonly=True, copy=False, ondelete="set null"
    )
    employee_id = fields.Many2one(related="allocation_id.employee_id", string="Assigned")
    allocation_state = fields.Selection(related="allocation_id.state", string="Allocation Status")
    candidate_ids = fields.One2many("svc.staffing.candidate", "line_id", "Candidates", readonly=True)
    needed_hours = fields.Float("Hours Needed", compute="_compute_needed_hours")

    @api.depends("date_from", "date_to", "hours_per_week")
    def _compute_needed_hours(self):
        for line in self:
            if line.date_from and line.date_to and line.date_to >= line.date_from:
                line.needed_hours = sum(
                    split_hours_by_week_monday(line.date_from, line.date_to, line.hours_per_week).values()
                )
            else:
                line.needed_hours = 0.0

    @api.constrains("date_from", "date_to", "hours_per_week")
    def _check_span(self):
        for line in self:
            if line.date_to < line.date_from:
                raise ValidationError(
                    _("Role %s ends before it starts: set an end date on or after the start.", line.role)
                )
            if not 0 < line.hours_per_week <= 168:
                raise ValidationError(_("Role %s needs between 0 and 168 hours per week.", line.role))

    # -------------------------------------------------------------- actions
    def action_find_candidates(self):
        """Rank the employees of the request's company for each role and keep the best
        (`svc.staffing.candidate`). One capacity computation and one skill query per role,
        whatever the number of employees. Returns True."""
        # the automation rules rank as the system for whoever moved the opportunity
        if not self.env.su and not self.env.user.has_group("svc_resource_planning.group_resource_manager"):
            raise AccessError(_("Only resource managers look for candidates; ask one to staff this request."))
        filled = self.filtered(lambda line: line.allocation_id and line.allocation_id.state != "cancelled")
        if filled:
            raise UserError(
                _("Role %s is already filled; cancel its allocation to look again.", filled[0].role)
            )
        closed = self.filtered(lambda line: line.request_id.state in ("draft", "cancelled"))
        if closed:
            raise UserError(
                _(
                    "Submit request %s before looking for candidates (it is draft or cancelled).",
                    closed[0].request_id.name,
                )
            )
        for line in self:
            rows = line._rank_candidates(limit=CANDIDATE_LIMIT)
            line.candidate_ids.sudo().unlink()
            self.env["svc.staffing.candidate"].create(
                [dict(row, line_id=line.id, rank=rank) for rank, row in enumerate(rows, start=1)]
            )
        return True

    # ------------------------------------------------------------ business
    def _rank_candidates(self, employees=None, exclude_employee_ids=(), limit=None, available_only=False):
        """The employees of the company scored for this role, best first (plain dicts with the
        figures, the skill match and the reasons). ``limit`` keeps the best ones only (their
        reasons are written, not everyone's); ``available_only`` drops those without a free hour."""
        self.ensure_one()
        Employee = self.env["hr.employee"].sudo()
        company = self.company_id or self.env.company
        if employees is None:
            employees = Employee.search([("company_id", "=", company.id)], order="id")
        employees = employees.sudo().filtered(lambda employee: employee.id not in exclude_employee_ids)
        if not employees:
            return []
        employees.fetch(["name", "resource_calendar_id"])
        requirements = [
            (
                skill.skill_id.id,
                skill.skill_id.name,
                skill.min_level_id.level_progress,
                skill.min_level_id.name,
            )
            for skill in self.skill_ids
        ]
        levels = defaultdict(dict)  # employee id -> skill id -> (progress, level name)
        if requirements:
            self.env["hr.employee.skill"].flush_model(["employee_id", "skill_id", "skill_level_id"])
            self.env.cr.execute(
                """
                SELECT es.employee_id, es.skill_id, level.level_progress, level.name
                  FROM hr_employee_skill es
                  JOIN hr_skill_level level ON level.id = es.skill_level_id
                 WHERE es.employee_id IN %s AND es.skill_id IN %s
                """,
                [tuple(employees.ids), tuple(requirement[0] for requirement in requirements)],
            )
            for employee_id, skill_id, progress, level_name in self.env.cr.fetchall():
                levels[employee_id][skill_id] = (progress, level_name)
        capacity = self.env["svc.capacity.week"]._compute_capacity(employees, self.date_from, self.date_to)
        needed_by_week = split_hours_by_week_monday(self.date_from, self.date_to, self.hours_per_week)
        needed = sum(needed_by_week.values())
        rows = []
        for employee in employees:
            free = covered = available = confirmed = 0.0
            pending_weeks = []
            for monday, figures in sorted(capacity[employee.id].items()):
                free += figures["free_hours"]
                available += figures["available_hours"]
                confirmed += figures["confirmed_hours"]
                covered += min(figures["free_hours"], needed_by_week.get(monday, 0.0))
                if figures["tentative_leave_hours"]:
                    pending_weeks.append((monday, figures["tentative_leave_hours"]))
            if available_only and covered <= 0:
                continue
            utilization_after = (confirmed + needed) / available if available else 9.99
            employee_levels = levels.get(employee.id, {})
            met = sum(
                1
                for skill_id, _name, min_progress, _level in requirements
                if skill_id in employee_levels and employee_levels[skill_id][0] >= min_progress
            )
            row = {
                "employee_id": employee.id,
                "skills_met": met,
                "skills_required": len(requirements),
                "covered_hours": round(covered, 2),
                "free_hours": round(free, 2),
                "needed_hours": round(needed, 2),
                "utilization_after": round(min(utilization_after, 9.99), 4),
                "_levels": employee_levels,
                "_pending_weeks": pending_weeks,
                "_calendar": employee.resource_calendar_id or company.resource_calendar_id,
            }
            row["score"] = candidate_score(row, needed)
            rows.append(row)
        rows.sort(key=candidate_sort_key)
        if limit is not None:
            rows = rows[:limit]
        self._write_reasons(rows, requirements)
        return rows

    def _write_reasons(self, rows, requirements):
        """Fill ``skill_match`` and ``reasons`` of ranked rows, in the user's language (each
        sentence is translated once, not once per candidate)."""
        has_level = _("has %(skill)s at %(level)s")
        too_low = _("%(skill)s only at %(level)s (%(needed)s needed)")
        lacks = _("lacks %(skill)s")
        free_of = _("%(free)s of %(needed)s h free")
        pending = _("%(days)s days of pending leave in week %(week)s")
        after = _("utilization after assignment %(percent)s%%")
        no_skill = _("no skill required")
        for row in rows:
            employee_levels = row.pop("_levels")
            pending_weeks = row.pop("_pending_weeks")
            calendar = row.pop("_calendar")
            matches = []
            for skill_id, skill_name, min_progress, min_level in requirements:
                has = employee_levels.get(skill_id)
                if has and has[0] >= min_progress:
                    matches.append(has_level % {"skill": skill_name, "level": has[1]})
                elif has:
                    matches.append(too_low % {"skill": skill_name, "level": has[1], "needed": min_level})
                else:
                    matches.append(lacks % {"skill": skill_name})
            reasons = list(matches)
            reasons.append(
                free_of % {"free": _fmt(row["covered_hours"]), "needed": _fmt(row["needed_hours"])}
            )
            hours_per_day = calendar.hours_per_day or 8.0
            for monday, hours in pending_weeks:
                week = week_label(monday).split("-W")[1].lstrip("0")
                reasons.append(pending % {"days": _fmt(hours / hours_per_day), "week": week})
            reasons.append(after % {"percent": round(row["utilization_after"] * 100)})
            row["skill_match"] = "; ".join(matches) or no_skill
            row["reasons"] = "; ".join(reasons)
        return rows


def _fmt(number):
    """12.0 -> '12', 12.5 -> '12.5'."""
    return f"{round(number, 1):g}"
