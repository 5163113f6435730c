from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    """Vendor terms the procurement flow relies on: how risky the supplier is, how fast it must acknowledge."""

    _inherit = "res.partner"

    supplier_risk = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        default="low",
        tracking=True,
        help="How much the buyers trust this vendor to deliver as promised.",
    )
    ack_lead_hours = fields.Integer(
        string="Acknowledgment lead time (hours)",
        default=48,
        help="Hours the vendor has to acknowledge a confirmed purchase order.",
    )

    @api.constrains("ack_lead_hours")
    def _check_ack_lead_hours(self):
        for partner in self:
            if partner.ack_lead_hours < 1:
                raise ValidationError(
                    _(
                        "The acknowledgment lead time of %(partner)s must be at least 1 hour; "
                        "enter the number of hours the vendor has to acknowledge an order.",
                        partner=partner.display_name,
                    )
                )
