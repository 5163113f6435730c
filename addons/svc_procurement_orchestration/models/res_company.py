from odoo import fields, models


class ResCompany(models.Model):
    """Who hears about vendors that never acknowledge."""

    _inherit = "res.company"

    svc_ack_escalation_user_id = fields.Many2one(
        "res.users",
        "Acknowledgment Escalations To",
        domain=[("share", "=", False)],
        help="Gets the exception and an activity when a vendor has not acknowledged an order a full lead "
        "time after its deadline. Empty: the first purchasing manager.",
    )
