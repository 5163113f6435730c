from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.svc_ops_base.tests.common import SvcOpsHttpCase

from .common_late_inbound import LateInboundFixture


@tagged("post_install", "-at_install")
class TestShipmentUpdate(LateInboundFixture, SvcOpsHttpCase):
    """shipment.update over the real signed webhook: reschedules the receipt, or fails clearly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_late_inbound()
        event_type = cls.env.ref("svc_procurement_orchestration.event_type_shipment_update")
        cls.source, cls.secret = cls._make_source(
            "carrier-feed", allowed_event_type_ids=[(6, 0, event_type.ids)], max_attempts=2
        )
        cls.inbox = cls.env["svc.inbox.event"]

    def _send(self, event_id, **data):
        values = {"purchase_order": self.order.name, "warehouse": self.warehouse.code,
                  "expected_date": fields.Date.to_string((self.today + timedelta(days=12)).date())}  # fmt: skip
        values.update(data)
        values = {key: value for key, value in values.items() if value is not None}
        body = self._body(event_id, "shipment.update", values)
        response = self._post(self.source.code, body, self._headers(self.secret, body, event_id=event_id))
        self.assertEqual(response.status_code, 202, response.text)
        event = self.inbox.search([("source_id", "=", self.source.id), ("event_id", "=", event_id)])
        self.inbox._cron_process()
        return event

    def test_late_shipment_makes_the_committed_delivery_late_then_recovery_resolves(self):
        event = self._send("ship-1", tracking="1Z999AA10123456784")
        self.assertEqual((event.state, event.last_error), ("processed", False))
        self.assertEqual((event.res_model, event.res_id), ("purchase.order", self.order.id))
        self.assertEqual(
            self.receipt.scheduled_date, self.today + timedelta(days=12), "the time of day is kept"
        )
        self.assertEqual(self.receipt.svc_tracking_ref, "1Z999AA10123456784")
        self.assertEqual(self.order.svc_tracking_ref, "1Z999AA10123456784")
        exception = self._late_exceptions()
        self.assertEqual(len(exception), 1)
        self.assertIn(self.out_b.name, exception.message)
        self.assertNotIn(self.out_a.name, exception.message)
        self.assertIn("Shipment update: expected on", self.order.message_ids[0].body)

        recovered = self._send(
            "ship-2", expected_date=fields.Datetime.to_string(self.today + timedelta(days=9))
        )
        self.assertEqual(recovered.state, "processed")
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(len(self._late_exceptions()), 1, "still one exception for the order, now resolved")
        self.assertEqual(self.order.svc_tracking_ref, "1Z999AA10123456784", "no tracking sent: kept")

    def test_unknown_order_fails_then_dies_with_the_reason(self):
        event = self._send("ship-3", purchase_order="P99999")
        self.assertEqual(event.state, "failed")
        self.assertIn("No purchase order is named 'P99999'", event.last_error)
        event.with_user(self.ops_manager).action_process()
        self.assertEqual(event.state, "dead", "dead after the source's max attempts")
        dead = self.env["svc.exception"].search([("res_model", "=", event._name), ("res_id", "=", event.id)])
        self.assertIn("P99999", dead.message)
        self.assertEqual(self.receipt.scheduled_date, self.today + timedelta(days=8), "nothing moved")

    def test_unknown_warehouse_bad_date_and_malformed_fields_fail_clearly(self):
        cases = {
            "ship-4": ({"warehouse": "NOPE"}, "No warehouse has the code 'NOPE'"),
            "ship-5": ({"expected_date": "next tuesday"}, "'next tuesday' is not a date"),
            "ship-6": ({"expected_date": "2026-02-30"}, "is not a date"),
            "ship-7": ({"expected_date": "2001-01-01"}, "before purchase order"),
            "ship-8": ({"expected_date": None}, "needs 'expected_date'"),
            "ship-9": ({"purchase_order": 42}, "needs the purchase order's name"),
            "ship-10": ({"tracking": ["x"]}, "'tracking' must be a text"),
        }
        for event_id, (data, error) in cases.items():
            with self.subTest(event_id):
                event = self._send(event_id, **data)
                self.assertEqual(event.state, "failed")
                self.assertIn(error, event.last_error)
        self.assertEqual(self.receipt.scheduled_date, self.today + timedelta(days=8))
        self.assertFalse(self._late_exceptions())

    def test_other_warehouse_and_unconfirmed_order_fail_clearly(self):
        other = self.env["stock.warehouse"].create({"name": "Second Depot", "code": "WH2"})
        event = self._send("ship-11", warehouse="WH2")
        self.assertIn(f"is received in {self.warehouse.code}, not in warehouse 'WH2'", event.last_error)
        draft = self.env["purchase.order"].create(
            {"partner_id": self.vendor.id,
             "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 1, "price_unit": 300.0})]}
        )  # fmt: skip
        event = self._send("ship-12", purchase_order=draft.name)
        self.assertIn("is not confirmed", event.last_error)
        self.assertTrue(other)

    def test_duplicate_delivery_is_processed_once(self):
        self._send("ship-13")
        body = self._body("ship-13", "shipment.update", {"purchase_order": self.order.name})
        response = self._post(self.source.code, body, self._headers(self.secret, body, event_id="ship-13"))
        self.assertEqual((response.status_code, response.json()["status"]), (200, "duplicate"))
        self.assertEqual(self._late_exceptions().occurrences, 1)
