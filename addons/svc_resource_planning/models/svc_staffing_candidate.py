from odoo import _, fields, models
from odoo.exceptions import UserError


class SvcStaffingCandidate(models.Model):
    """An employee ranked for a role, with the figures and reasons of the ranking."""

    _name = "svc.staffing.candidate"
    _description = "Staffing Candidate"
    _order = "line_id, rank, id"
    _rec_name = "employee_id"

    line_id = fields.Many2one(
        "svc.staffing.request.line", "Role", required=True, ondelete="cascade", index=True
    )
    request_id = fields.Many2one(related="line_id.request_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    employee_id = fields.Many2one("hr.employee", required=True, ondelete="cascade")
    rank = fields.Integer(required=True)
    score = fields.Float(help="0-100: 50 for skills, 35 for free hours, 15 for low utilization.")
    free_hours = fields.Float("Free (h)", help="Free hours over the role's span.")
    covered_hours = fields.Float(
        "Usable Free (h)", help="Free hours that fall in the weeks and amounts the role needs."
    )
    needed_hours = fields.Float("Needed (h)")
    utilization_after = fields.Float("Utilization After")
    skills_met = fields.Integer("Skills Met")
    skills_required = fields.Integer("Skills Required")
    skill_match = fields.Char()
    reasons = fields.Text()

    def action_assign(self):
        """Give the role to this candidate: create the allocation (tentative for a provisional
        request, otherwise confirmed, through approval when over the threshold). Returns the
        allocation id."""
        self.ensure_one()
        line = self.line_id
        request = line.request_id
        if line.allocation_id and line.allocation_id.state != "cancelled":
            raise UserError(
                _("Role %(role)s is already given to %(who)s; cancel that allocation first.",
                  role=line.role, who=line.allocation_id.employee_id.name)
            )  # fmt: skip
        if request.state not in ("open", "proposed"):
            raise UserError(_("Request %s is not open for staffing.", request.name))
        allocation = self.env["svc.resource.allocation"].create(
            {
                "employee_id": self.employee_id.id,
                "project_id": request.project_id.id,
                "sale_line_id": line.sale_line_id.id,
                "role": line.role,
                "date_from": line.date_from,
                "date_to": line.date_to,
                "hours_per_week": line.hours_per_week,
                "staffing_request_id": request.id,
            }
        )
        line.allocation_id = allocation
        request._message_log(
            body=_(
                "%(who)s assigned to %(role)s: %(reasons)s",
                who=self.employee_id.name,
                role=line.role,
                reasons=self.reasons,
            )
        )
        if not request.is_provisional:
            allocation.action_confirm()
        self.env["svc.staffing.request"]._svc_update_states(request)
        return allocation.id
