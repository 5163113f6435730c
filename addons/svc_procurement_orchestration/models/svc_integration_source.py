from odoo import fields, models


class SvcIntegrationSource(models.Model):
    """A source bound to a supplier only speaks for that supplier's purchase orders."""

    _inherit = "svc.integration.source"

    partner_id = fields.Many2one(
        "res.partner",
        "Supplier",
        domain=[("is_company", "=", True)],
        help="When set, supplier events (supplier.ack) from this source must be about this supplier's orders.",
    )
