from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MAX_TRACKING_LENGTH = 128


class SvcInboxEvent(models.Model):
    """Inbound events of the procurement flow: supplier acknowledgments and shipment updates
    from supplier portals, carriers or n8n."""

    _inherit = "svc.inbox.event"

    @api.model
    def _svc_inbox_handlers(self):
        return dict(
            super()._svc_inbox_handlers(),
            **{"supplier.ack": "_handle_supplier_ack", "shipment.update": "_handle_shipment_update"},
        )

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

    def _handle_shipment_update(self):
        """shipment.update: data {"purchase_order", "expected_date", "warehouse", "tracking"}.

        Moves the scheduled date of the order's open receipts in that warehouse (which runs
        the late-inbound check) and stores the tracking reference on the order and the
        receipts. Anything unknown or malformed raises, so the event fails and is retried.
        """
        data = self._event_data()
        order = self._svc_shipment_order(data.get("purchase_order"))
        warehouse = self._svc_shipment_warehouse(data.get("warehouse"))
        expected, has_time = _parse_expected_date(data.get("expected_date"))
        tracking = data.get("tracking")
        if tracking is not None and (not isinstance(tracking, str) or len(tracking) > MAX_TRACKING_LENGTH):
            raise ValidationError(
                _(
                    "shipment.update's 'tracking' must be a text of at most %s characters.",
                    MAX_TRACKING_LENGTH,
                )
            )
        open_receipts = order.picking_ids.filtered(
            lambda picking: (
                picking.picking_type_code == "incoming" and picking.state not in ("done", "cancel")
            )
        )
        receipts = open_receipts.filtered(lambda picking: picking.picking_type_id.warehouse_id == warehouse)
        if not receipts:
            if open_receipts:
                raise ValidationError(
                    _(
                        "Purchase order %(order)s is received in %(expected)s, not in warehouse %(code)r: "
                        "correct the sender, then replay.",
                        order=order.name,
                        expected=", ".join(open_receipts.picking_type_id.warehouse_id.mapped("code")),
                        code=warehouse.code,
                    )
                )
            raise ValidationError(
                _("Purchase order %s has no receipt left to deliver: nothing to update.", order.name)
            )
        if expected.date() < order.date_order.date():
            raise ValidationError(
                _(
                    "shipment.update's 'expected_date' %(date)s is before purchase order %(order)s "
                    "was placed: correct the sender, then replay.",
                    date=fields.Date.to_string(expected.date()),
                    order=order.name,
                )
            )
        for receipt in receipts:
            # a day without a time keeps the receipt's time of day: the sender knows the day only
            scheduled = (
                expected if has_time else datetime.combine(expected.date(), receipt.scheduled_date.time())
            )
            values = {"scheduled_date": scheduled}
            if tracking is not None:
                values["svc_tracking_ref"] = tracking
            receipt.write(values)
        if tracking is not None:
            order.svc_tracking_ref = tracking
        order.message_post(
            body=_(
                "Shipment update: expected on %(date)s in %(warehouse)s%(tracking)s.",
                date=fields.Date.to_string(expected.date()),
                warehouse=warehouse.code,
                tracking=_(", tracking %s", tracking) if tracking else "",
            )
        )
        return order

    def _svc_shipment_order(self, name):
        """The confirmed purchase order `name` of the event's company, or a clear error."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                _("shipment.update needs the purchase order's name in data 'purchase_order'.")
            )
        order = self.env["purchase.order"].search(
            [("name", "=", name.strip()), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not order:
            raise ValidationError(
                _(
                    "No purchase order is named %r: correct the sender (or create the order), then replay.",
                    name,
                )
            )
        if order.state not in ("purchase", "done"):
            raise ValidationError(
                _(
                    "Purchase order %s is not confirmed: confirm it before its shipment is tracked.",
                    order.name,
                )
            )
        return order

    def _svc_shipment_warehouse(self, code):
        """The warehouse with code `code` in the event's company, or a clear error."""
        if not isinstance(code, str) or not code.strip():
            raise ValidationError(_("shipment.update needs the warehouse's code in data 'warehouse'."))
        warehouse = self.env["stock.warehouse"].search(
            [("code", "=", code.strip()), ("company_id", "=", self.company_id.id)], limit=1
        )
        if not warehouse:
            raise ValidationError(_("No warehouse has the code %r: correct the sender, then replay.", code))
        return warehouse


def _parse_expected_date(value):
    """'YYYY-MM-DD' or an ISO 8601 date and time (UTC when no offset) -> (naive UTC datetime, has a time)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            _("shipment.update needs 'expected_date' as YYYY-MM-DD or an ISO 8601 date and time.")
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            _("shipment.update's 'expected_date' %r is not a date: send YYYY-MM-DD.", value)
        ) from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed, len(value.strip()) > 10
