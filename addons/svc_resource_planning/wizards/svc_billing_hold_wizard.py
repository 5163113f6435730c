from odoo import fields, models


class SvcBillingHoldWizard(models.TransientModel):
    """Hold the billing of a project: say why; the reason becomes an open Billing exception
    on the project, which blocks its orders' billing readiness until it is resolved."""

    _name = "svc.billing.hold.wizard"
    _description = "Hold the Billing of a Project"

    project_id = fields.Many2one("project.project", required=True, ondelete="cascade")
    reason = fields.Char(required=True, help="One line: the exception's title, shown on the readiness.")
    details = fields.Text()
    severity = fields.Selection(
        [("medium", "Medium"), ("high", "High"), ("critical", "Critical")], required=True, default="high"
    )

    def action_hold(self):
        """Open the exception; back on the project its Exceptions button counts it."""
        self.ensure_one()
        self.project_id._svc_hold_billing(self.reason, self.details, self.severity)
        return {"type": "ir.actions.act_window_close"}
