from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcInboxEvent(models.Model):
    """Supplier events received through the signed inbox."""

    _inherit = "svc.inbox.event"

    @api.model
    def _svc_inbox_handlers(self):
        return dict(super()._svc_inbox_handlers(), **{"supplier.ack": "_handle_supplier_ack"})

    def _handle_supplier_ack(self):
        """supplier.ack: data {"purchase_order": "<PO name>", "promised_date": "YYYY-MM-DD", "reference": "..."}.

        The order must exist in the source's company, belong to the source's supplier when the
        source is bound to one, and be confirmed; the date must be a date. Records the
        acknowledgment and links the event to the order.
        """
        data = self._event_data()
        name = data.get("purchase_order")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                _("supplier.ack needs the purchase order's name as a text in 'purchase_order'.")
            )
        promised = data.get("promised_date")
        if promised is not None and not isinstance(promised, str):
            raise ValidationError(_("supplier.ack's 'promised_date' must be a text date YYYY-MM-DD."))
        try:
            promised_date = fields.Date.to_date(promised) if promised else False
        except ValueError:
            raise ValidationError(
                _("supplier.ack's promised_date %r is not a date: use the format YYYY-MM-DD.", promised)
            ) from None
        reference = data.get("reference")
        if reference is not None and not isinstance(reference, str):
            raise ValidationError(_("supplier.ack's 'reference' must be a text."))
        order = self.env["purchase.order"].search(
            [("name", "=", name.strip()), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not order:
            raise ValidationError(
                _(
                    "No purchase order is named %(name)r in %(company)s: correct the sender, then replay.",
                    name=name,
                    company=self.company_id.name,
                )
            )
        supplier = self.source_id.partner_id.commercial_partner_id
        if supplier and order.partner_id.commercial_partner_id != supplier:
            raise ValidationError(
                _(
                    "Purchase order %(order)s is not an order to %(supplier)s, the supplier of source %(origin)s.",
                    order=order.name,
                    supplier=supplier.name,
                    origin=self.source_id.name,
                )
            )
        order.action_acknowledge(promised_date=promised_date, reference=reference)
        return order
