from odoo import fields, models


class StockPicking(models.Model):
    """Receipts carry the carrier's tracking reference that shipment updates send."""

    _inherit = "stock.picking"

    svc_tracking_ref = fields.Char(
        "Shipment Tracking",
        copy=False,
        tracking=True,
        help="The tracking reference of the last shipment update.",
    )
