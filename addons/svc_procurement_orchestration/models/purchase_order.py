from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError


class PurchaseOrder(models.Model):
    """A confirmed purchase order waits for the vendor's acknowledgment and promised date."""

    _inherit = "purchase.order"

    ack_state = fields.Selection(
        [
            ("not_required", "Not Required"),
            ("waiting", "Waiting"),
            ("acknowledged", "Acknowledged"),
            ("overdue", "Overdue"),
        ],
        string="Acknowledgment",
        default="not_required",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    ack_deadline = fields.Datetime(
        string="Acknowledgment Deadline",
        copy=False,
        help="When the vendor must have acknowledged the order: confirmation plus the vendor's lead time.",
    )
    ack_date = fields.Datetime(string="Acknowledged On", copy=False, readonly=True)
    supplier_promised_date = fields.Date(
        string="Promised Date", copy=False, help="The delivery date the vendor promised when acknowledging."
    )

    def button_confirm(self):
        """Confirm, then start the acknowledgment clock of the orders that are now confirmed."""
        result = super().button_confirm()
        self._svc_request_acknowledgment()
        return result

    def button_approve(self, force=False):
        """Approve (second validation step), then start the acknowledgment clock as well."""
        result = super().button_approve(force=force)
        self._svc_request_acknowledgment()
        return result

    def action_acknowledge(self, promised_date=None):
        """Record the vendor's acknowledgment of confirmed orders, with the delivery date it promised."""
        unconfirmed = self.filtered(lambda order: order.state not in ("purchase", "done"))
        if unconfirmed:
            raise UserError(
                _(
                    "Only confirmed purchase orders can be acknowledged; confirm %(orders)s first.",
                    orders=", ".join(unconfirmed.mapped("display_name")),
                )
            )
        promised_date = fields.Date.to_date(promised_date) if promised_date else False
        self.write(
            {
                "ack_state": "acknowledged",
                "ack_date": fields.Datetime.now(),
                "supplier_promised_date": promised_date,
            }
        )
        if promised_date:
            body = _(
                "Vendor acknowledged the order; promised date: %(date)s.",
                date=fields.Date.to_string(promised_date),
            )
        else:
            body = _("Vendor acknowledged the order.")
        for order in self:
            order.message_post(body=body)
        return True

    def _svc_ack_deadline_from(self, start):
        """The acknowledgment deadline of this order when the clock starts at `start`."""
        self.ensure_one()
        return start + timedelta(hours=self.partner_id.commercial_partner_id.ack_lead_hours)

    def _svc_request_acknowledgment(self):
        """Put confirmed orders not yet tracked in `waiting`, one write per vendor lead time."""
        orders = self.filtered(
            lambda order: order.state in ("purchase", "done") and order.ack_state == "not_required"
        )
        now = fields.Datetime.now()
        by_lead_hours = orders.grouped(lambda order: order.partner_id.commercial_partner_id.ack_lead_hours)
        for lead_hours, group in by_lead_hours.items():
            group.write({"ack_state": "waiting", "ack_deadline": now + timedelta(hours=lead_hours)})
