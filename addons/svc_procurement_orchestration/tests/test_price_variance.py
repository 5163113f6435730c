from .common import ProcurementCase


class TestPriceVariance(ProcurementCase):
    """Lines compare their price with the vendor price list, or the last purchase; advisory only."""

    with_policies = False

    def _exceptions(self, order):
        return self.env["svc.exception"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id), ("key", "=", "price_anomaly")]
        )

    def test_a_price_above_the_price_list_flags_the_order_and_raises_an_exception(self):
        order = self._order(qty=1, price=1150.0)
        line = order.order_line
        self.assertEqual(line.price_reference_source, "pricelist")
        self.assertAlmostEqual(line.price_reference, 1000.0)
        self.assertAlmostEqual(line.price_variance_pct, 15.0)
        self.assertTrue(order.price_anomaly)
        self.assertIn("Laptop", order.price_anomaly_reason)
        self.assertIn("+15.0%", order.price_anomaly_reason)
        self.assertIn("Vendor Price List", order.price_anomaly_reason)
        self.assertEqual(
            self.env["purchase.order"].search([("price_anomaly", "=", True), ("id", "=", order.id)]), order
        )

        order.button_confirm()
        self.assertEqual(order.state, "purchase", "a price variance never blocks by itself")
        exception = self._exceptions(order)
        self.assertEqual((exception.state, exception.category), ("open", "procurement"))
        self.assertIn("Price variance on", exception.name)
        self.assertEqual(exception.owner_id, self.buyer)

    def test_within_tolerance_nothing_is_flagged(self):
        order = self._order(qty=1, price=1080.0)
        self.assertAlmostEqual(order.order_line.price_variance_pct, 8.0)
        self.assertFalse(order.price_anomaly)
        order.button_confirm()
        self.assertFalse(self._exceptions(order))

    def test_the_tolerance_is_a_setting(self):
        settings = self.env["res.config.settings"].create({"svc_price_variance_pct": 5.0})
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("svc_procurement_orchestration.price_variance_pct"),
            "5.0",
        )
        order = self._order(qty=1, price=1080.0)
        self.assertTrue(order.price_anomaly)

    def test_without_price_list_the_last_confirmed_purchase_is_the_reference(self):
        first = self._order(product=self.non_catalog_product, qty=1, price=200.0)
        self.assertEqual(first.order_line.price_reference_source, "none")
        self.assertFalse(first.price_anomaly)
        first.button_confirm()
        other_vendor = self.env["res.partner"].create({"name": "Other Rack Maker", "is_company": True})
        second = self._order(vendor=other_vendor, product=self.non_catalog_product, qty=1, price=150.0)
        line = second.order_line
        self.assertEqual(line.price_reference_source, "last_purchase")
        self.assertAlmostEqual(line.price_variance_pct, -25.0)
        self.assertTrue(second.price_anomaly, "much cheaper is also worth a look")

    def test_fixing_the_price_resolves_the_exception_on_the_next_confirmation(self):
        policy = self.env["svc.approval.policy"].create(
            {"name": "Test: anomalies", "model_id": self.env["ir.model"]._get_id("purchase.order"),
             "domain": "[('price_anomaly', '=', True)]",
             "step_ids": [(0, 0, {"name": "Manager", "approver_type": "group",
                                  "group_id": self.manager_group.id})]}
        )  # fmt: skip
        order = self._order(qty=1, price=1300.0)
        order.button_confirm()
        self.assertEqual(
            (order.state, order.approval_policy_id), ("to approve", policy), "a policy may use the flag"
        )
        order.with_user(self.purchasing_manager).action_reject("Negotiate the price")
        order.order_line.price_unit = 1000.0
        self.assertFalse(order.price_anomaly)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(self._exceptions(order).state, "resolved")
