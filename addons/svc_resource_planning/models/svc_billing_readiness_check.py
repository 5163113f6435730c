from odoo import fields, models

CHECKS = [
    ("milestones", "Milestones reached"),
    ("timesheets", "Timesheets validated, team compliant"),
    ("expenses", "Expenses approved and posted"),
    ("signoff", "Client sign-off recorded"),
    ("exceptions", "No blocking exception"),
]


class SvcBillingReadinessCheck(models.Model):
    """One check of a billing readiness: met or not, and why not."""

    _name = "svc.billing.readiness.check"
    _description = "Billing Readiness Check"
    _order = "readiness_id, sequence"

    readiness_id = fields.Many2one("svc.billing.readiness", required=True, ondelete="cascade", index=True)
    code = fields.Selection(CHECKS, required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    state = fields.Selection([("met", "Met"), ("unmet", "Not Met")], required=True, readonly=True)
    reason = fields.Char(readonly=True)
