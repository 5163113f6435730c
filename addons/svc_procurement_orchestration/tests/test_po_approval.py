from odoo.exceptions import AccessError, UserError

from .common import ProcurementCase


class TestPurchaseApproval(ProcurementCase):
    """Confirm on a governed order requests approval; the last approval confirms it."""

    def _outbox_types(self, order):
        events = self.env["svc.outbox.event"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)]
        )
        return events.mapped("event_type")

    def setUp(self):
        super().setUp()
        types = self.env["svc.event.type"].search(
            [("code", "in", ("purchase.approved", "purchase.confirmed", "purchase.acknowledged"))]
        )
        self.env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
        self.env["svc.webhook.endpoint"].create(
            {"name": "ERP mirror", "url": "http://127.0.0.1:9/hook", "event_type_ids": [(6, 0, types.ids)]}
        )

    def test_catalog_order_under_threshold_from_low_risk_supplier_proceeds_without_anyone(self):
        order = self._order(qty=2)
        self.assertFalse(order.has_non_catalog_line)
        self.assertIs(order.button_confirm(), True)
        self.assertEqual((order.state, order.approval_state), ("purchase", "not_required"))
        self.assertFalse(order.approval_request_ids)
        self.assertEqual(order.ack_state, "waiting")
        self.assertTrue(order.picking_ids, "Odoo's own confirmation ran: the receipt exists")
        self.assertEqual(self._outbox_types(order), ["purchase.confirmed"])

    def test_above_threshold_waits_for_the_purchasing_manager_then_confirms(self):
        order = self._order(qty=6)
        order.button_confirm()
        self.assertEqual((order.state, order.approval_state), ("to approve", "pending"))
        self.assertEqual(order.approval_policy_id, self.policy_threshold)
        self.assertFalse(order.picking_ids, "nothing is received before the approval")
        self.assertEqual(order.ack_state, "not_required")
        request = order.approval_request_ids
        self.assertEqual(request.approver_ids, self.purchasing_manager | self.other_manager)
        self.assertEqual(request.requester_id, self.buyer)
        to_approve = (
            self.env["purchase.order"].with_user(self.purchasing_manager).search([("can_approve", "=", True)])
        )
        self.assertEqual(to_approve, order)

        self.assertIs(order.with_user(self.purchasing_manager).action_approve(comment="OK"), True)
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))
        self.assertTrue(order.date_approve)
        self.assertTrue(order.picking_ids)
        self.assertEqual(order.ack_state, "waiting")
        self.assertCountEqual(self._outbox_types(order), ["purchase.approved", "purchase.confirmed"])
        self.assertIn(self.low_vendor, self.catalog_product.seller_ids.partner_id)

    def test_above_the_higher_threshold_needs_manager_then_finance(self):
        order = self._order(qty=25)
        order.button_confirm()
        self.assertEqual(order.approval_policy_id, self.policy_dual)
        manager_step, finance_step = order.approval_request_ids.sorted("sequence")
        self.assertEqual((manager_step.state, finance_step.state), ("pending", "waiting"))
        with self.assertRaisesRegex(UserError, "not an approver of this step"):
            order.with_user(self.finance).action_approve()
        order.with_user(self.purchasing_manager).action_approve()
        self.assertEqual((order.state, finance_step.state), ("to approve", "pending"))
        self.assertEqual(finance_step.approver_ids, self.finance)
        with self.assertRaisesRegex(UserError, "already approved an earlier step"):
            order.with_user(self.purchasing_manager).action_approve()
        order.with_user(self.finance).action_approve()
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))

    def test_non_catalog_line_needs_the_purchasing_manager_whatever_the_amount(self):
        order = self._order(product=self.non_catalog_product, qty=1, price=50.0)
        self.assertTrue(order.has_non_catalog_line)
        order.button_confirm()
        self.assertEqual((order.state, order.approval_policy_id), ("to approve", self.policy_non_catalog))
        order.with_user(self.purchasing_manager).action_approve()
        self.assertEqual(order.state, "purchase")
        self.assertFalse(order.has_non_catalog_line, "once approved, Odoo lists the vendor on the product")

    def test_high_risk_supplier_always_needs_approval(self):
        order = self._order(vendor=self.high_vendor, qty=1)
        self.assertEqual(order.supplier_risk, "high")
        order.button_confirm()
        self.assertEqual((order.state, order.approval_policy_id), ("to approve", self.policy_high_risk))

    def test_supplier_risk_follows_the_vendor(self):
        order = self._order(qty=1)
        self.low_vendor.supplier_risk = "high"
        self.assertEqual(order.supplier_risk, "high")
        self.assertEqual(
            self.env["purchase.order"].search([("supplier_risk", "=", "high"), ("id", "=", order.id)]), order
        )

    def test_the_requester_cannot_approve_their_own_order(self):
        order = self._order(qty=6, user=self.purchasing_manager)
        order.with_user(self.purchasing_manager).button_confirm()
        self.assertEqual(order.approval_request_ids.requester_id, self.purchasing_manager)
        self.assertEqual(order.approval_request_ids.approver_ids, self.other_manager)
        with self.assertRaisesRegex(UserError, "the requester cannot approve their own document"):
            order.with_user(self.purchasing_manager).action_approve()
        self.assertEqual(order.state, "to approve")

    def test_the_buyer_cannot_approve(self):
        order = self._order(qty=6)
        order.button_confirm()
        with self.assertRaisesRegex(UserError, "the requester cannot approve their own document"):
            order.with_user(self.buyer).action_approve()

    def test_odoo_approve_button_refuses_a_governed_order_without_approval(self):
        order = self._order(qty=6)
        order.button_confirm()
        with self.assertRaisesRegex(UserError, "Approval is missing for .* \\(Pending Approval\\)"):
            order.with_user(self.purchasing_manager).button_approve()
        self.assertEqual(order.state, "to approve")
        draft = self._order(qty=6)
        with self.assertRaisesRegex(UserError, "Approval is missing"):
            draft.with_user(self.purchasing_manager).button_approve()
        self.assertEqual(draft.state, "draft")

    def test_nobody_sets_the_approval_state_or_skips_the_check_from_outside(self):
        order = self._order(qty=6)
        order.button_confirm()
        with self.assertRaises(AccessError):
            order.write({"approval_state": "approved"})
        with self.assertRaises(AccessError):
            self.env["purchase.order"].with_user(self.buyer).create(
                {"partner_id": self.low_vendor.id, "approval_state": "approved"}
            )
        manager = order.with_user(self.purchasing_manager)
        with self.assertRaisesRegex(UserError, "Approval is missing"):
            manager.with_context(
                svc_po_ungoverned_ids=[order.id], svc_approval_no_reset=True
            ).button_approve()
        self.assertEqual((order.state, order.approval_state), ("to approve", "pending"))

    def test_an_approved_order_cancelled_and_set_back_to_draft_needs_approval_again(self):
        order = self._order(qty=6)
        order.button_confirm()
        manager = order.with_user(self.purchasing_manager)
        manager.action_approve(comment="OK")
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))
        manager.button_cancel()
        manager.button_draft()
        self.assertEqual((order.state, order.approval_state), ("draft", "not_required"))
        order.button_confirm()
        self.assertEqual((order.state, order.approval_state), ("to approve", "pending"))

    def test_confirming_again_while_waiting_changes_nothing(self):
        order = self._order(qty=6)
        order.button_confirm()
        order.button_confirm()
        self.assertEqual(len(order.approval_request_ids), 1)
        self.assertEqual(order.state, "to approve")

    def test_rejection_returns_to_draft_with_the_reason_then_a_new_round(self):
        order = self._order(qty=6)
        order.button_confirm()
        with self.assertRaisesRegex(UserError, "Say why you reject"):
            order.with_user(self.purchasing_manager).action_reject("  ")
        order.with_user(self.purchasing_manager).action_reject("Split it across two quarters")
        self.assertEqual((order.state, order.approval_state), ("draft", "rejected"))
        note = order.message_ids.filtered(lambda message: "Approval rejected by" in (message.body or ""))
        self.assertTrue(note)
        self.assertEqual(note.author_id, self.purchasing_manager.partner_id)
        with self.assertRaisesRegex(UserError, "not waiting for a decision"):
            order.with_user(self.purchasing_manager).action_approve()

        order.order_line.product_qty = 2
        order.button_confirm()
        self.assertEqual((order.state, order.approval_state), ("purchase", "not_required"))

        again = self._order(qty=6)
        again.button_confirm()
        again.with_user(self.purchasing_manager).action_reject("No")
        again.button_confirm()
        self.assertEqual((again.state, again.approval_state), ("to approve", "pending"))
        self.assertEqual(len(again.approval_request_ids.filtered(lambda req: req.state == "pending")), 1)

    def test_emergency_release_confirms_and_opens_a_review(self):
        self.purchasing_manager.groups_id = [
            (4, self.env.ref("svc_approval_matrix.group_approval_emergency").id)
        ]
        order = self._order(qty=6)
        order.button_confirm()
        order.with_user(self.purchasing_manager).action_emergency_release("Client site down")
        self.assertEqual((order.state, order.approval_state), ("purchase", "emergency"))
        self.assertCountEqual(self._outbox_types(order), ["purchase.approved", "purchase.confirmed"])

    def test_cancelling_an_order_waiting_for_approval_withdraws_the_request(self):
        order = self._order(qty=6)
        order.button_confirm()
        order.button_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.approval_request_ids.state, "cancelled")
        self.assertFalse(
            self.env["purchase.order"].with_user(self.purchasing_manager).search([("can_approve", "=", True)])
        )

    def test_ungoverned_order_keeps_odoo_double_validation(self):
        self.env.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 100})
        order = self._order(qty=2)
        order.button_confirm()
        self.assertEqual((order.state, order.approval_state), ("to approve", "not_required"))
        order.with_user(self.purchasing_manager).button_approve()
        self.assertEqual(order.state, "purchase")

    def test_many_orders_confirmed_in_one_call(self):
        orders = self._order(qty=2) | self._order(qty=6) | self._order(vendor=self.high_vendor, qty=1)
        orders.button_confirm()
        self.assertEqual(orders.mapped("state"), ["purchase", "to approve", "to approve"])
        orders[1:].with_user(self.purchasing_manager).action_approve()
        self.assertEqual(set(orders.mapped("state")), {"purchase"})
