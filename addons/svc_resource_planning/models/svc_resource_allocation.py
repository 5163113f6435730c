from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .capacity_math import split_hours_by_iso_week, split_hours_by_week_monday, week_label

FOLLOW_ON_DAYS = 14
ALTERNATIVES = 3

MAX_HOURS_PER_WEEK = 168


class SvcResourceAllocation(models.Model):
    """An employee booked on a project for a period, at so many hours per week.

    Tentative allocations are pencilled in; confirmed ones count as committed capacity.
    Confirming one that takes the employee above the company's over-allocation threshold
    in any week of its span goes through the approval policies; below it, it confirms
    directly. The company follows the employee's, so the company record rule applies.
    """

    _name = "svc.resource.allocation"
    _description = "Resource Allocation"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("confirmed",)
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    employee_id = fields.Many2one(
        "hr.employee", required=True, index=True, tracking=True, check_company=True, ondelete="restrict"
    )
    project_id = fields.Many2one(
        "project.project",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        help="Empty only for a provisional allocation of a staffing request opened for an opportunity.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        "Sales Order Item",
        index="btree_not_null",
        check_company=True,
        ondelete="set null",
        domain="[('is_service', '=', True)]",
        help="The sold service this time is delivered against, when there is one.",
    )
    role = fields.Char(help="What the employee does on the project, e.g. Lead Designer.")
    date_from = fields.Date("From", required=True, tracking=True)
    date_to = fields.Date("To", required=True, tracking=True)
    allocation_percent = fields.Float(
        "% of Calendar",
        tracking=True,
        help="Book a share of the employee's working calendar instead of a number of hours: "
        "the hours per week follow from it.",
    )
    hours_per_week = fields.Float(
        "Hours per Week",
        required=True,
        tracking=True,
        compute="_compute_hours_per_week",
        store=True,
        readonly=False,
        precompute=True,
    )
    state = fields.Selection(
        [("tentative", "Tentative"), ("confirmed", "Confirmed"), ("cancelled", "Cancelled")],
        required=True,
        default="tentative",
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    company_id = fields.Many2one(related="employee_id.company_id", store=True, index=True)
    department_id = fields.Many2one(related="employee_id.department_id", store=True, index="btree_not_null")
    staffing_request_id = fields.Many2one(
        "svc.staffing.request", "Staffing Request", index="btree_not_null", ondelete="set null", copy=False
    )
    is_over_threshold = fields.Boolean(
        "Over Threshold",
        readonly=True,
        copy=False,
        help="When confirmation was asked, this allocation took the employee above the company's "
        "over-allocation threshold in at least one week: approval policies govern it.",
    )
    peak_utilization = fields.Float(
        "Peak Utilization", readonly=True, copy=False, help="Highest weekly utilization with this allocation."
    )
    over_threshold_weeks = fields.Char("Weeks Over Threshold", readonly=True, copy=False)
    confirm_requested_by_id = fields.Many2one("res.users", "Confirmation Asked By", readonly=True, copy=False)

    @api.depends("allocation_percent", "employee_id")
    def _compute_hours_per_week(self):
        for allocation in self:
            if allocation.allocation_percent and allocation.employee_id:
                calendar = (
                    allocation.employee_id.resource_calendar_id
                    or allocation.employee_id.company_id.resource_calendar_id
                )
                allocation.hours_per_week = round(
                    calendar._svc_weekly_hours() * allocation.allocation_percent / 100.0, 2
                )
            elif not allocation.hours_per_week:
                allocation.hours_per_week = 40.0

    @api.depends("employee_id.name", "project_id.name", "staffing_request_id.name")
    def _compute_name(self):
        for allocation in self:
            where = allocation.project_id.name or allocation.staffing_request_id.name
            if allocation.employee_id and where:
                allocation.name = f"{allocation.employee_id.name} - {where}"
            else:
                allocation.name = allocation.employee_id.name or where or False

    @api.constrains("project_id", "staffing_request_id")
    def _check_project(self):
        for allocation in self:
            if not allocation.project_id and not allocation.staffing_request_id:
                raise ValidationError(
                    _(
                        "Allocation %s needs a project (or a staffing request it is provisional for).",
                        allocation.name,
                    )
                )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for allocation in self:
            if allocation.date_to < allocation.date_from:
                raise ValidationError(
                    _(
                        "Allocation %(allocation)s ends on %(date_to)s, before it starts on %(date_from)s. "
                        "Set an end date on or after the start date.",
                        allocation=allocation.name,
                        date_to=allocation.date_to,
                        date_from=allocation.date_from,
                    )
                )

    @api.constrains("hours_per_week")
    def _check_hours_per_week(self):
        for allocation in self:
            if allocation.hours_per_week <= 0:
                raise ValidationError(
                    _(
                        "Allocation %s needs a positive number of hours per week; "
                        "cancel the allocation instead of booking zero hours.",
                        allocation.name,
                    )
                )
            if allocation.hours_per_week > MAX_HOURS_PER_WEEK:
                raise ValidationError(
                    _(
                        "Allocation %(allocation)s books %(hours)s hours per week, more than the %(max)s hours "
                        "a week has. Enter the weekly hours, not the total.",
                        allocation=allocation.name,
                        hours=allocation.hours_per_week,
                        max=MAX_HOURS_PER_WEEK,
                    )
                )

    def action_confirm(self):
        """Commit tentative allocations: the hours now count as booked capacity.

        Allocations that keep every week of their span at or under the over-allocation
        threshold confirm at once; the others ask the approval policies and confirm when
        approved (or at once when no policy governs them). Returns True.
        """
        not_tentative = self.filtered(lambda allocation: allocation.state != "tentative")
        if not_tentative:
            raise UserError(
                _(
                    "Only tentative allocations can be confirmed; %s is not. "
                    "Create a new allocation to book this time again.",
                    ", ".join(not_tentative.mapped("name")),
                )
            )
        waiting = self.filtered(lambda allocation: allocation.approval_state == "pending")
        if waiting:
            raise UserError(
                _(
                    "Confirmation of %s is already waiting for approval.",
                    ", ".join(waiting.mapped("name")),
                )
            )
        peaks = self._threshold_check()
        over = self.filtered(lambda allocation: peaks[allocation.id][1])
        under = self - over
        for allocation in self:
            peak, weeks = peaks[allocation.id]
            allocation.sudo().with_context(svc_approval_no_reset=True).write(
                {
                    "is_over_threshold": bool(weeks),
                    "peak_utilization": peak,
                    "over_threshold_weeks": ", ".join(weeks) or False,
                    "confirm_requested_by_id": self.env.uid,
                }
            )
        if under:
            under._svc_approval_release()
            under._svc_do_confirm()
        if over:
            over.filtered(lambda allocation: allocation.approval_state != "not_required")._svc_approval_reset(
                _("Confirmation asked again.")
            )
            over.action_request_approval()
            ungoverned = over.filtered(lambda allocation: allocation.approval_state == "not_required")
            ungoverned._svc_approval_release()
            ungoverned._svc_do_confirm()
            for allocation in over.filtered(lambda allocation: allocation.approval_state == "pending"):
                allocation._message_log(
                    body=_(
                        "Confirmation goes to approval: utilization would reach %(peak)s%% in %(weeks)s "
                        "(threshold %(threshold)s%%).",
                        peak=round(allocation.peak_utilization * 100),
                        weeks=allocation.over_threshold_weeks,
                        threshold=round(allocation.company_id.svc_overallocation_threshold),
                    )
                )
        return True

    def action_cancel(self):
        """Release the booked time; cancelling an already cancelled allocation changes nothing.

        A confirmation still waiting for approval is withdrawn with it."""
        to_cancel = self.filtered(lambda allocation: allocation.state != "cancelled")
        pending = to_cancel.filtered(lambda allocation: allocation.approval_state == "pending")
        if pending:
            pending.sudo()._svc_approval_reset(_("Allocation cancelled."))
        to_cancel.write({"state": "cancelled"})
        self.env["svc.staffing.request"]._svc_update_states(to_cancel.staffing_request_id)
        return True

    # ------------------------------------------------------------ approval
    def _svc_approval_requester(self):
        self.ensure_one()
        return self.confirm_requested_by_id or self.create_uid or self.env.user

    def _svc_approval_required(self):
        """Only an allocation over the threshold asks the policies (as `action_confirm` does):
        the gate measures the weeks again, so a direct write of the state cannot skip it."""
        peaks = self._threshold_check()
        over = self.filtered(lambda allocation: peaks[allocation.id][1])
        return super(SvcResourceAllocation, over)._svc_approval_required() if over else over

    def _svc_on_approved(self):
        self.filtered(lambda allocation: allocation.state == "tentative")._svc_do_confirm()

    def _svc_on_rejected(self, reason):
        for allocation in self:
            allocation._message_log(
                body=_("Confirmation rejected: %s. The allocation stays tentative.", reason)
            )

    def _svc_do_confirm(self):
        self.write({"state": "confirmed"})
        self.env["svc.staffing.request"]._svc_update_states(self.staffing_request_id)
        self._svc_check_conflicts_of_others()

    def _threshold_check(self):
        """``{allocation id: (peak utilization, [weeks above the threshold])}``: the employee's
        confirmed hours plus this allocation against the available hours, week by week (one
        batched capacity computation for all the allocations)."""
        result = {}
        if not self:
            return result
        capacity = self.env["svc.capacity.week"]._compute_capacity(
            self.employee_id,
            min(self.mapped("date_from")),
            max(self.mapped("date_to")),
            exclude_allocation_ids=self.ids,
        )
        for allocation in self:
            threshold = allocation.company_id.svc_overallocation_threshold / 100.0
            weeks = capacity[allocation.employee_id.id]
            peak, over = 0.0, []
            for monday, hours in sorted(
                split_hours_by_week_monday(
                    allocation.date_from, allocation.date_to, allocation.hours_per_week
                ).items()
            ):
                figures = weeks.get(monday)
                if not figures:
                    continue
                confirmed = figures["confirmed_hours"] + hours
                available = figures["available_hours"]
                utilization = confirmed / available if available else (9.99 if confirmed else 0.0)
                peak = max(peak, utilization)
                if utilization > threshold + 1e-9:
                    over.append(week_label(monday))
            result[allocation.id] = (round(peak, 4), over)
        return result

    def _svc_check_conflicts_of_others(self):
        """The other live allocations of these employees that overlap them may now be over
        capacity: raise an exception for each one that is."""
        if not self:
            return
        others = self.search(
            [
                ("employee_id", "in", self.employee_id.ids),
                ("state", "in", ("tentative", "confirmed")),
                ("id", "not in", self.ids),
                ("date_from", "<=", max(self.mapped("date_to"))),
                ("date_to", ">=", min(self.mapped("date_from"))),
            ]
        )
        others._svc_detect_conflicts(_("another allocation of the employee was confirmed"))

    def _svc_detect_conflicts(self, cause):
        """Raise an exception for each allocation whose employee is booked beyond the available
        hours in a week of its span, naming the weeks and proposing the best alternatives.
        One capacity computation for all. Returns the allocations in conflict."""
        conflicting = self.browse()
        live = self.filtered(lambda allocation: allocation.state in ("tentative", "confirmed"))
        if not live:
            return conflicting
        capacity = self.env["svc.capacity.week"]._compute_capacity(
            live.employee_id, min(live.mapped("date_from")), max(live.mapped("date_to"))
        )
        Exception_ = self.env["svc.exception"]
        for allocation in live:
            weeks = capacity[allocation.employee_id.id]
            over = []
            for monday in sorted(split_hours_by_week_monday(allocation.date_from, allocation.date_to, 1.0)):
                figures = weeks.get(monday)
                booked = figures["confirmed_hours"] + figures["tentative_hours"] if figures else 0.0
                if figures and booked > figures["available_hours"] + 0.005:
                    over.append(
                        _("%(week)s (%(booked)s h booked, %(available)s h available)",
                          week=week_label(monday), booked=round(booked, 1), available=figures["available_hours"])
                    )  # fmt: skip
            if not over:
                continue
            conflicting |= allocation
            alternatives = allocation._svc_alternatives()
            message = _(
                "%(who)s is over capacity on %(what)s: %(cause)s.\nWeeks: %(weeks)s.\nAlternatives: %(alternatives)s.",
                who=allocation.employee_id.name,
                what=allocation.name,
                cause=cause,
                weeks="; ".join(over),
                alternatives="; ".join(alternatives) or _("none with free hours"),
            )
            Exception_.raise_for(
                allocation,
                "staffing_conflict",
                "staffing",
                message,
                severity="high",
                owner=allocation.confirm_requested_by_id or allocation.create_uid,
            )
        return conflicting

    def _svc_alternatives(self):
        """Names and reasons of the best other employees for this allocation's role and span."""
        self.ensure_one()
        line = self.env["svc.staffing.request.line"].search([("allocation_id", "=", self.id)], limit=1)
        if not line:
            line = self.env["svc.staffing.request.line"].new(
                {"role": self.role or self.name, "hours_per_week": self.hours_per_week,
                 "date_from": self.date_from, "date_to": self.date_to}
            )  # fmt: skip
        employees = self.env["hr.employee"].sudo().search([("company_id", "=", self.company_id.id)])
        ranked = line._rank_candidates(
            employees, exclude_employee_ids={self.employee_id.id}, limit=ALTERNATIVES, available_only=True
        )
        names = {employee.id: employee.name for employee in employees}
        return [f"{names[row['employee_id']]} ({row['reasons']})" for row in ranked]

    @api.model
    def _cron_flag_ending_allocations(self):
        """Allocations ending within 14 days with no follow-on booking for the employee get an
        activity for the resource manager; then the capacity report is refreshed and the bench
        of the next four weeks is reported in the exception queue. Safe to re-run: an open
        activity is not duplicated."""
        today = fields.Date.context_today(self)
        horizon = today + timedelta(days=FOLLOW_ON_DAYS)
        ending = self.search(
            [("state", "=", "confirmed"), ("date_to", ">=", today), ("date_to", "<=", horizon)]
        )
        later = self.search(
            [("employee_id", "in", ending.employee_id.ids), ("state", "in", ("tentative", "confirmed")),
             ("date_to", ">", horizon)]
        )  # fmt: skip
        follow_on = {}
        for allocation in later:
            follow_on.setdefault(allocation.employee_id.id, []).append(allocation.date_from)
        todo = self.env.ref("mail.mail_activity_data_todo")
        flagged = self.browse()
        for allocation in ending:
            starts = follow_on.get(allocation.employee_id.id, [])
            if any(start <= allocation.date_to + timedelta(days=7) for start in starts):
                continue
            if allocation.activity_ids.filtered(lambda activity: activity.activity_type_id == todo):
                continue
            manager = allocation.confirm_requested_by_id or allocation.create_uid
            allocation.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=allocation.date_to,
                summary=_("No follow-on after %s", allocation.date_to),
                note=_("%s has nothing booked after this allocation ends: plan the next assignment.",
                       allocation.employee_id.name),
                user_id=manager.id,
            )  # fmt: skip
            flagged |= allocation
        self.env["svc.capacity.week"]._cron_report_bench()
        return flagged.ids

    def _weekly_hours_by_iso_week(self):
        """This allocation's hours per ISO week, partial weeks prorated by working days (Mon-Fri).

        Returns ``{(iso_year, iso_week): hours}``.
        """
        self.ensure_one()
        return split_hours_by_iso_week(self.date_from, self.date_to, self.hours_per_week)
