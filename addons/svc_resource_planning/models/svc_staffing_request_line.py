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
        if not self.env.user.has_group("svc_resource_planning.group_resource_manager"):
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
            rows = line._rank_candidates()[:CANDIDATE_LIMIT]
            line.candidate_ids.sudo().unlink()
            self.env["svc.staffing.candidate"].create(
                [dict(row, line_id=line.id, rank=rank) for rank, row in enumerate(rows, start=1)]
            )
        return True

    # ------------------------------------------------------------ business
    def _rank_candidates(self, employees=None, exclude_employee_ids=()):
        """Every employee of the company scored for this role, best first (plain dicts)."""
        self.ensure_one()
        Employee = self.env["hr.employee"].sudo()
        company = self.company_id or self.env.company
        if employees is None:
            employees = Employee.search([("company_id", "=", company.id)], order="id")
        employees = employees.sudo().filtered(lambda employee: employee.id not in exclude_employee_ids)
        if not employees:
            return []
        employees.fetch(["name", "resource_calendar_id"])
        requirements = [(skill.skill_id, skill.min_level_id) for skill in self.skill_ids]
        levels = defaultdict(dict)  # employee id -> skill id -> (progress, level name)
        if requirements:
            for employee_skill in (
                self.env["hr.employee.skill"]
                .sudo()
                .search_fetch(
                    [
                        ("employee_id", "in", employees.ids),
                        ("skill_id", "in", [skill.id for skill, _lvl in requirements]),
                    ],
                    ["employee_id", "skill_id", "skill_level_id"],
                )
            ):
                level = employee_skill.skill_level_id
                levels[employee_skill.employee_id.id][employee_skill.skill_id.id] = (
                    level.level_progress,
                    level.name,
                )
        capacity = self.env["svc.capacity.week"]._compute_capacity(employees, self.date_from, self.date_to)
        needed_by_week = split_hours_by_week_monday(self.date_from, self.date_to, self.hours_per_week)
        needed = sum(needed_by_week.values())
        rows = []
        for employee in employees:
            weeks = capacity[employee.id]
            free = covered = available = confirmed = 0.0
            pending_weeks = []
            for monday, figures in sorted(weeks.items()):
                free += figures["free_hours"]
                available += figures["available_hours"]
                confirmed += figures["confirmed_hours"]
                covered += min(figures["free_hours"], needed_by_week.get(monday, 0.0))
                if figures["tentative_leave_hours"]:
                    pending_weeks.append((monday, figures["tentative_leave_hours"]))
            utilization_after = (confirmed + needed) / available if available else 9.99
            matches, met = [], 0
            for skill, min_level in requirements:
                has = levels[employee.id].get(skill.id)
                if has and has[0] >= min_level.level_progress:
                    met += 1
                    matches.append(_("has %(skill)s at %(level)s", skill=skill.name, level=has[1]))
                elif has:
                    matches.append(
                        _(
                            "%(skill)s only at %(level)s (%(needed)s needed)",
                            skill=skill.name,
                            level=has[1],
                            needed=min_level.name,
                        )
                    )
                else:
                    matches.append(_("lacks %s", skill.name))
            hours_per_day = (
                employee.resource_calendar_id or self.company_id.resource_calendar_id
            ).hours_per_day or 8.0
            reasons = list(matches)
            reasons.append(_("%(free)s of %(needed)s h free", free=_fmt(covered), needed=_fmt(needed)))
            for monday, hours in pending_weeks:
                reasons.append(
                    _("%(days)s days of pending leave in week %(week)s",
                      days=_fmt(hours / hours_per_day), week=week_label(monday).split("-W")[1].lstrip("0"))
                )  # fmt: skip
            reasons.append(_("utilization after assignment %s%%", round(utilization_after * 100)))
            row = {
                "employee_id": employee.id,
                "skills_met": met,
                "skills_required": len(requirements),
                "covered_hours": round(covered, 2),
                "free_hours": round(free, 2),
                "needed_hours": round(needed, 2),
                "utilization_after": round(min(utilization_after, 9.99), 4),
                "skill_match": "; ".join(matches) or _("no skill required"),
                "reasons": "; ".join(reasons),
            }
            row["score"] = candidate_score(row, needed)
            rows.append(row)
        rows.sort(key=candidate_sort_key)
        return rows


def _fmt(number):
    """12.0 -> '12', 12.5 -> '12.5'."""
    return f"{round(number, 1):g}"
