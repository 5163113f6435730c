from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestAcknowledgment(SvcOpsCase):
    """Buyers confirm purchase orders; the vendor's lead time sets the acknowledgment deadline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # no approval policy here: these orders confirm at once
        cls.env["svc.approval.policy"].search([("model_name", "=", "purchase.order")]).active = False
        cls.buyer = new_test_user(
            cls.env,
            "svc_buyer",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_user",
        )
        cls.purchasing_manager = new_test_user(
            cls.env,
            "svc_purchasing_manager",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
        )
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Test AV Systems", "is_company": True, "supplier_risk": "high", "ack_lead_hours": 72}
        )
        cls.vendor_contact = cls.env["res.partner"].create(
            {"name": "Vera Vendor", "parent_id": cls.vendor.id, "ack_lead_hours": 5}
        )
        cls.fast_vendor = cls.env["res.partner"].create(
            {"name": "Test Office Supply", "is_company": True, "ack_lead_hours": 24}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Projector", "type": "consu", "standard_price": 800.0}
        )

    def _order(self, vendor=None):
        return (
            self.env["purchase.order"]
            .with_user(self.buyer)
            .create(
                {
                    "partner_id": (vendor or self.vendor).id,
                    "order_line": [
                        (0, 0, {"product_id": self.product.id, "product_qty": 2, "price_unit": 800.0})
                    ],
                }
            )
        )

    def test_confirming_starts_the_clock_with_the_vendor_lead_time(self):
        order = self._order()
        other = self._order(self.fast_vendor)
        contact_order = self._order(self.vendor_contact)
        self.assertEqual(order.ack_state, "not_required")
        with freeze_time("2026-03-02 09:00:00"):
            (order | other | contact_order).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual((order.ack_state, other.ack_state), ("waiting", "waiting"))
        self.assertEqual(order.ack_deadline, datetime(2026, 3, 5, 9, 0))
        self.assertEqual(other.ack_deadline, datetime(2026, 3, 3, 9, 0))
        self.assertEqual(
            contact_order.ack_deadline,
            datetime(2026, 3, 5, 9, 0),
            "the lead time of the company, not of its contact person, counts",
        )
        self.assertEqual(order._svc_ack_deadline_from(datetime(2026, 3, 2, 9, 0)), order.ack_deadline)
        self.assertFalse(order.ack_date)

    def test_awaiting_acknowledgment_lists_confirmed_orders_only(self):
        order = self._order()
        draft = self._order()
        order.button_confirm()
        awaiting = (
            self.env["purchase.order"]
            .with_user(self.buyer)
            .search([("ack_state", "in", ("waiting", "overdue")), ("partner_id", "=", self.vendor.id)])
        )
        self.assertEqual(awaiting, order)
        self.assertNotIn(draft, awaiting)

    def test_acknowledging_a_draft_order_is_refused(self):
        order = self._order()
        with self.assertRaisesRegex(UserError, "Only confirmed purchase orders can be acknowledged"):
            order.action_acknowledge(promised_date=date(2026, 3, 20))
        self.assertEqual(order.ack_state, "not_required")

    def test_acknowledging_a_confirmed_order_records_date_and_promise(self):
        order = self._order()
        order.button_confirm()
        with freeze_time("2026-03-03 14:30:00"):
            result = order.action_acknowledge(promised_date="2026-03-20")
        self.assertIs(result, True)
        self.assertEqual(order.ack_state, "acknowledged")
        self.assertEqual(order.ack_date, datetime(2026, 3, 3, 14, 30))
        self.assertEqual(order.supplier_promised_date, date(2026, 3, 20))
        self.assertIn("promised date: 2026-03-20", order.message_ids[0].body)
        self.assertEqual(order.message_ids[0].author_id, self.buyer.partner_id)

    def test_confirming_again_does_not_restart_the_clock(self):
        order = self._order()
        order.button_confirm()
        order.action_acknowledge()
        order.button_confirm()
        self.assertEqual(order.ack_state, "acknowledged")

    def test_lead_time_below_one_hour_is_refused(self):
        vendor = self.vendor.with_user(self.purchasing_manager)
        vendor.ack_lead_hours = 12
        self.assertEqual(self.vendor.ack_lead_hours, 12)
        with self.assertRaisesRegex(ValidationError, "at least 1 hour"):
            vendor.ack_lead_hours = 0
