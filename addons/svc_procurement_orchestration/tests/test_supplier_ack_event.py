import uuid
from datetime import date

from odoo.tests import tagged

from odoo.addons.svc_ops_base.tests.common import SvcOpsHttpCase

from .common import setup_procurement


@tagged("post_install", "-at_install")
class TestSupplierAckEvent(SvcOpsHttpCase):
    """A supplier portal acknowledges orders through the signed webhook (real HTTP route)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_procurement(cls, policies=False)
        ack_type = cls.env.ref("svc_procurement_orchestration.event_type_supplier_ack")
        cls.source, cls.secret = cls._make_source(
            "office-portal", allowed_event_type_ids=[(6, 0, ack_type.ids)], partner_id=cls.low_vendor.id
        )
        cls.inbox = cls.env["svc.inbox.event"]

    def _confirmed(self, vendor=None):
        order = (
            self.env["purchase.order"]
            .with_user(self.buyer)
            .create({"partner_id": (vendor or self.low_vendor).id,
                     "order_line": [(0, 0, {"product_id": self.catalog_product.id, "product_qty": 1,
                                            "price_unit": 1000.0})]})
        )  # fmt: skip
        order.button_confirm()
        return order

    def _send(self, data):
        event_id = str(uuid.uuid4())
        body = self._body(event_id, "supplier.ack", data)
        response = self._post(self.source.code, body, self._headers(self.secret, body, event_id=event_id))
        return response, self.inbox.search([("source_id", "=", self.source.id), ("event_id", "=", event_id)])

    def test_signed_acknowledgment_records_the_promise(self):
        order = self._confirmed()
        response, event = self._send(
            {"purchase_order": order.name, "promised_date": "2031-05-20", "reference": "SO-7781"}
        )
        self.assertEqual(response.status_code, 202, response.text)
        self.inbox._cron_process()
        self.assertEqual(event.state, "processed", event.last_error)
        self.assertEqual((event.res_model, event.res_id), ("purchase.order", order.id))
        self.assertEqual(order.ack_state, "acknowledged")
        self.assertEqual(order.supplier_promised_date, date(2031, 5, 20))
        self.assertEqual(order.ack_reference, "SO-7781")
        self.assertEqual(order.picking_ids.scheduled_date.date(), date(2031, 5, 20))

    def test_the_same_event_sent_twice_is_recorded_once(self):
        order = self._confirmed()
        event_id = str(uuid.uuid4())
        body = self._body(
            event_id, "supplier.ack", {"purchase_order": order.name, "promised_date": "2031-05-20"}
        )
        first = self._post(self.source.code, body, self._headers(self.secret, body, event_id=event_id))
        again = self._post(self.source.code, body, self._headers(self.secret, body, event_id=event_id))
        self.assertEqual((first.status_code, again.status_code), (202, 200))
        self.assertEqual(again.json()["status"], "duplicate")
        self.inbox._cron_process()
        self.assertEqual(order.ack_state, "acknowledged")
        acks = order.message_ids.filtered(lambda message: "Vendor acknowledged" in (message.body or ""))
        self.assertEqual(len(acks), 1)

    def test_unknown_order_fails_the_event_clearly(self):
        _response, event = self._send({"purchase_order": "P99999", "promised_date": "2031-05-20"})
        self.inbox._cron_process()
        self.assertEqual(event.state, "failed")
        self.assertIn("No purchase order is named 'P99999'", event.last_error)

    def test_an_order_of_another_supplier_is_refused(self):
        order = self._confirmed(vendor=self.high_vendor)
        _response, event = self._send({"purchase_order": order.name})
        self.inbox._cron_process()
        self.assertEqual(event.state, "failed")
        self.assertIn("is not an order to Test Office Supply", event.last_error)
        self.assertEqual(order.ack_state, "waiting")

    def test_bad_date_missing_name_and_draft_order_fail(self):
        order = self._confirmed()
        draft = self.env["purchase.order"].create({"partner_id": self.low_vendor.id})
        cases = [
            ({"purchase_order": order.name, "promised_date": "20/05/2031"}, "not a date"),
            ({"promised_date": "2031-05-20"}, "needs the purchase order's name"),
            ({"purchase_order": order.name, "promised_date": 20310520}, "must be a text date"),
            ({"purchase_order": draft.name}, "Only confirmed purchase orders can be acknowledged"),
        ]
        events = []
        for data, _message in cases:
            _response, event = self._send(data)
            events.append(event)
        self.inbox._cron_process()
        for event, (_data, message) in zip(events, cases, strict=True):
            self.assertEqual(event.state, "failed")
            self.assertIn(message, event.last_error)
        self.assertEqual(order.ack_state, "waiting")

    def test_a_bad_signature_is_refused_before_anything_is_stored(self):
        order = self._confirmed()
        event_id = str(uuid.uuid4())
        body = self._body(event_id, "supplier.ack", {"purchase_order": order.name})
        response = self._post(self.source.code, body, self._headers("wrong-secret", body, event_id=event_id))
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.inbox.search([("event_id", "=", event_id)]))
