from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestSupplierPerformance(SvcOpsCase):
    """On-time rate, delay and acknowledgment latency per supplier, against figures worked out by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.manager = new_test_user(
            env,
            "svc_sp_manager",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
        )
        cls.buyer = new_test_user(
            env, "svc_sp_buyer", groups="base.group_user,svc_procurement_orchestration.group_procurement_user"
        )
        cls.slow = env["res.partner"].create({"name": "Slow Freight Ltd", "is_company": True})
        cls.slow_contact = env["res.partner"].create({"name": "Sid Slow", "parent_id": cls.slow.id})
        cls.good = env["res.partner"].create({"name": "Punctual Parts", "is_company": True})
        # a catalog product of both vendors: their orders confirm without approval
        cls.product = env["product.product"].create(
            {"name": "Cable Tray", "type": "product",
             "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 10.0}) for vendor in (cls.slow, cls.good)]}
        )  # fmt: skip
        cls.now = fields.Datetime.now().replace(microsecond=0)
        cls.planned = cls.now - timedelta(days=20)
        # Slow Freight, planned 20 days ago: done a day early, the same day, 2 days late, and
        # 4 days late but promised for 3 days late (the promise counts: 1 day late); one more
        # receipt 100 days ago is outside the 90-day window.
        # -> 4 receipts, 2 on time = 50 %, average delay (0 + 0 + 2 + 1) / 4 = 0.75 days.
        cls._received(cls.slow, -1, ack_hours=10)
        cls._received(cls.slow_contact, 0, ack_hours=30)  # a contact's order counts for its company
        cls._received(cls.slow, 2)
        cls._received(cls.slow, 4, promised=3)
        cls._received(cls.slow, 0, planned=cls.now - timedelta(days=101), ack_hours=500)
        cls._received(cls.good, 0, ack_hours=2)

    @classmethod
    def _received(cls, vendor, days_late, promised=None, planned=None, ack_hours=None):
        planned = planned or cls.planned
        order = cls.env["purchase.order"].create(
            {"partner_id": vendor.id, "date_planned": planned,
             "order_line": [(0, 0, {"product_id": cls.product.id, "product_qty": 1, "price_unit": 10.0,
                                    "date_planned": planned})]}
        )  # fmt: skip
        order.button_confirm()
        approved = planned - timedelta(days=5)
        values = {"date_approve": approved}
        if ack_hours is not None:
            values["ack_date"] = approved + timedelta(hours=ack_hours)
        if promised is not None:
            values["supplier_promised_date"] = (planned + timedelta(days=promised)).date()
        order.write(values)
        receipt = order.picking_ids
        receipt.move_ids.quantity = 1
        receipt.move_ids.picked = True
        receipt.button_validate()
        receipt.date_done = datetime.combine(
            (planned + timedelta(days=days_late)).date(), datetime.min.time()
        )
        return order

    def _suggestions(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id),
             ("summary", "=", "Suggested supplier risk raise")]
        )  # fmt: skip

    def test_figures_match_the_hand_computed_ones(self):
        self.env.ref("svc_procurement_orchestration.ir_cron_supplier_performance").method_direct_trigger()
        slow = self.slow.with_user(self.buyer)
        self.assertEqual(slow.svc_perf_receipts, 4)
        self.assertAlmostEqual(slow.svc_perf_on_time_rate, 50.0)
        self.assertAlmostEqual(slow.svc_perf_avg_delay_days, 0.75)
        self.assertEqual(slow.svc_perf_ack_count, 2, "the order approved 106 days ago is outside the window")
        self.assertAlmostEqual(slow.svc_perf_ack_latency_hours, 20.0)
        good = self.good.with_user(self.buyer)
        self.assertEqual((good.svc_perf_receipts, good.svc_perf_on_time_rate), (1, 100.0))
        self.assertAlmostEqual(good.svc_perf_ack_latency_hours, 2.0)
        self.assertEqual(self.slow_contact.svc_perf_receipts, 0, "figures live on the company")

        # a wider window takes the old receipt in: 5 receipts, 3 on time
        self.env["res.partner"]._svc_compute_supplier_performance(window_days=200)
        self.assertEqual(self.slow.svc_perf_receipts, 5)
        self.assertAlmostEqual(self.slow.svc_perf_on_time_rate, 60.0)

    def test_low_on_time_rate_suggests_a_risk_raise_once_never_changes_it(self):
        cron = self.env.ref("svc_procurement_orchestration.ir_cron_supplier_performance")
        cron.method_direct_trigger()
        suggestion = self._suggestions(self.slow)
        self.assertEqual(len(suggestion), 1)
        reviewer = suggestion.user_id
        self.assertTrue(reviewer.has_group("svc_procurement_orchestration.group_procurement_manager"))
        self.assertIn("from low to medium", suggestion.with_user(reviewer).note)
        self.assertEqual(self.slow.supplier_risk, "low", "only suggested: the risk is the manager's call")
        self.assertFalse(self._suggestions(self.good))

        cron.method_direct_trigger()
        self.assertEqual(len(self._suggestions(self.slow)), 1, "the second run adds nothing")

        # the manager raises the risk and marks the suggestion done; high risk gets no suggestion
        self.slow.with_user(self.manager).supplier_risk = "high"
        self._suggestions(self.slow).with_user(reviewer).action_feedback(feedback="Raised.")
        cron.method_direct_trigger()
        self.assertFalse(self._suggestions(self.slow))

    def test_threshold_and_minimum_receipts_are_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("svc_procurement_orchestration.on_time_threshold", 40)
        self.env.ref("svc_procurement_orchestration.ir_cron_supplier_performance").method_direct_trigger()
        self.assertFalse(self._suggestions(self.slow), "50 % is above a 40 % threshold")
        params.set_param("svc_procurement_orchestration.on_time_threshold", 80)
        params.set_param("svc_procurement_orchestration.performance_min_receipts", 5)
        self.env.ref("svc_procurement_orchestration.ir_cron_supplier_performance").method_direct_trigger()
        self.assertFalse(self._suggestions(self.slow), "4 receipts are too few to judge")

    def test_suppliers_without_recent_activity_are_reset(self):
        self.env["res.partner"]._svc_compute_supplier_performance()
        self.assertEqual(self.good.svc_perf_receipts, 1)
        self.env["res.partner"]._svc_compute_supplier_performance(window_days=1)
        self.assertEqual((self.good.svc_perf_receipts, self.good.svc_perf_ack_count), (0, 0))
        self.assertTrue(self.good.svc_perf_computed_at)
