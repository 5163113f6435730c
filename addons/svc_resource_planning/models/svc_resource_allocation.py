from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .capacity_math import split_hours_by_iso_week

MAX_HOURS_PER_WEEK = 168


class SvcResourceAllocation(models.Model):
    """An employee booked on a project for a period, at so many hours per week.

    Tentative allocations are pencilled in; confirmed ones count as committed capacity.
    The company follows the employee's, so the company record rule applies to bookings.
    """

    _name = "svc.resource.allocation"
    _description = "Resource Allocation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    employee_id = fields.Many2one(
        "hr.employee", required=True, index=True, tracking=True, check_company=True, ondelete="restrict"
    )
    project_id = fields.Many2one(
        "project.project", required=True, index=True, tracking=True, check_company=True, ondelete="restrict"
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
    hours_per_week = fields.Float("Hours per Week", required=True, default=40.0, tracking=True)
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

    @api.depends("employee_id.name", "project_id.name")
    def _compute_name(self):
        for allocation in self:
            if allocation.employee_id and allocation.project_id:
                allocation.name = f"{allocation.employee_id.name} - {allocation.project_id.name}"
            else:
                allocation.name = allocation.employee_id.name or allocation.project_id.name or False

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
        """Commit tentative allocations: the hours now count as booked capacity."""
        not_tentative = self.filtered(lambda allocation: allocation.state != "tentative")
        if not_tentative:
            raise UserError(
                _(
                    "Only tentative allocations can be confirmed; %s is not. "
                    "Create a new allocation to book this time again.",
                    ", ".join(not_tentative.mapped("name")),
                )
            )
        self.write({"state": "confirmed"})
        return True

    def action_cancel(self):
        """Release the booked time; cancelling an already cancelled allocation changes nothing."""
        self.filtered(lambda allocation: allocation.state != "cancelled").write({"state": "cancelled"})
        return True

    def _weekly_hours_by_iso_week(self):
        """This allocation's hours per ISO week, partial weeks prorated by working days (Mon-Fri).

        Returns ``{(iso_year, iso_week): hours}``.
        """
        self.ensure_one()
        return split_hours_by_iso_week(self.date_from, self.date_to, self.hours_per_week)
