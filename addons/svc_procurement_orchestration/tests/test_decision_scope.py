"""A decision covers exactly what was decided: a purchase order whose lines change while it
waits is routed again, and one whose lines change after approval goes back to it, its
receipt held until approved again (issue 25, "What was decided")."""

from odoo.exceptions import UserError

from .common import ProcurementCase


class TestDecisionScope(ProcurementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.policy_dual | cls.policy_threshold).reapprove_on_change = True

    def _approve_all(self, order):
        for approver in (self.purchasing_manager, self.finance):
            if order.approval_state == "pending":
                order.with_user(approver).action_approve()

    def _resets(self, order):
        return self.env["svc.approval.log"].search(
            [("res_model", "=", order._name), ("res_id", "=", order.id), ("event", "=", "reset")], order="id"
        )

    def test_a_line_raised_while_pending_routes_the_order_to_the_larger_policy(self):
        order = self._order(qty=7)  # 7,000: the 5,000 policy, one step
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.approval_policy_id, self.policy_threshold)
        before = order.amount_total
        order.order_line.with_user(self.buyer).write({"product_qty": 70})  # 70,000
        self.assertEqual(order.approval_policy_id, self.policy_dual, "routed to the 20,000 policy")
        self.assertEqual(order.approval_state, "pending")
        self.assertIn(f"amount {before:,.2f} -> {order.amount_total:,.2f}", self._resets(order).comment)
        order.with_user(self.purchasing_manager).action_approve()
        self.assertEqual(order.state, "to approve", "the finance step is asked too")
        order.with_user(self.finance).action_approve()
        self.assertEqual(order.state, "purchase")

    def test_a_line_raised_after_approval_goes_back_and_holds_the_receipt(self):
        order = self._order(qty=7)
        order.with_user(self.buyer).button_confirm()
        self._approve_all(order)
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))
        order.order_line.with_user(self.buyer).write({"product_qty": 8})
        self.assertEqual(order.approval_state, "pending")
        self.assertIn("Changed after approval", self._resets(order).comment)
        receipt = order.picking_ids
        receipt.move_ids.quantity = 8
        with self.assertRaisesRegex(UserError, "waits for approval again"):
            receipt.button_validate()
        self._approve_all(order)
        self.assertEqual(order.approval_state, "approved")

    def test_a_line_added_or_removed_after_approval_goes_back(self):
        order = self._order(qty=7)
        order.with_user(self.buyer).button_confirm()
        self._approve_all(order)
        order.with_user(self.buyer).write(
            {
                "order_line": [
                    (0, 0, {"product_id": self.catalog_product.id, "product_qty": 1, "price_unit": 10})
                ]
            }
        )
        self.assertEqual(order.approval_state, "pending")
        self.assertIn("lines added", self._resets(order)[-1:].comment)

    def test_a_rise_within_the_tolerance_keeps_the_approval(self):
        self.policy_threshold.reapprove_tolerance_pct = 10
        order = self._order(qty=10)  # 10,000
        order.with_user(self.buyer).button_confirm()
        self._approve_all(order)
        order.order_line.with_user(self.buyer).write({"price_unit": 1050})  # 10,500: +5 %
        self.assertEqual(order.approval_state, "approved")
        order.order_line.with_user(self.buyer).write({"price_unit": 1200})  # 12,000: +20 % of 10,500
        self.assertEqual(order.approval_state, "pending")

    def test_a_line_change_of_another_field_keeps_the_approval(self):
        order = self._order(qty=7)
        order.with_user(self.buyer).button_confirm()
        self._approve_all(order)
        order.order_line.with_user(self.buyer).write({"name": "Laptop, silver"})
        self.assertEqual(order.approval_state, "approved")
