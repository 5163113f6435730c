from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    """Receipts carry the carrier's tracking reference that shipment updates send."""

    _inherit = "stock.picking"

    svc_tracking_ref = fields.Char(
        "Shipment Tracking",
        copy=False,
        tracking=True,
        help="The tracking reference of the last shipment update.",
    )

    def button_validate(self):
        """A receipt waits while its purchase order went back to approval (its lines changed
        after approval) or was rejected: what was not approved is not received."""
        orders = self.move_ids.purchase_line_id.order_id.filtered(
            lambda order: order.approval_state in ("pending", "rejected")
        )
        if orders:
            raise UserError(
                _("%(pickings)s cannot be validated: %(orders)s waits for approval again. Approve it first.",
                  pickings=", ".join(self.mapped("name")), orders=", ".join(orders.mapped("name")))
            )  # fmt: skip
        return super().button_validate()
