from odoo import fields, models

from .purchase_order import DEFAULT_PRICE_VARIANCE_PCT, PRICE_VARIANCE_PARAM


class ResConfigSettings(models.TransientModel):
    """Purchase settings of the procurement flow: price tolerance and acknowledgment escalations."""

    _inherit = "res.config.settings"

    svc_price_variance_pct = fields.Float(
        "Price Variance Tolerance (%)",
        config_parameter=PRICE_VARIANCE_PARAM,
        default=DEFAULT_PRICE_VARIANCE_PCT,
        help="A purchase order line whose unit price deviates from the vendor price list (or the last "
        "purchase price) by more than this percentage flags the order and raises an exception.",
    )
    svc_ack_escalation_user_id = fields.Many2one(
        related="company_id.svc_ack_escalation_user_id", readonly=False
    )
