from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOrderGate(TransactionCase):
    """Sales orders under approval policies, as the real users: the salesperson confirms, the
    sales manager or finance decide; nobody confirms a governed quotation otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.today = fields.Date.context_today(env["sale.order"])
        cls.salesperson = new_test_user(env, "gate_salesperson", groups="sales_team.group_sale_salesman")
        cls.sales_manager = new_test_user(env, "gate_sales_manager", groups="sales_team.group_sale_manager")
        cls.finance = new_test_user(env, "gate_finance", groups="account.group_account_manager")
        cls.product = env["product.product"].create(
            {"name": "Gate Pump", "detailed_type": "consu", "list_price": 1500, "standard_price": 1000,
             "taxes_id": [Command.clear()]}
        )  # fmt: skip
        cls.customer = env["res.partner"].create({"name": "Gate Customer", "credit_limit": 3000})
        cls.newcomer = env["res.partner"].create({"name": "Gate Newcomer"})
        # an unpaid invoice of 1,000 due 40 days ago
        cls.invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": cls.today - timedelta(days=40),
                "invoice_payment_term_id": False,
                "invoice_date_due": cls.today - timedelta(days=40),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Earlier pumps", "quantity": 1, "price_unit": 1000, "tax_ids": []}
                    )
                ],
            }
        )
        cls.invoice.action_post()
        # a confirmed order of 1,000 not invoiced yet (confirmed before any policy exists)
        cls.confirmed = cls._order(cls.customer, qty=2, price=500)
        cls.confirmed.action_confirm()
        assert cls.confirmed.state == "sale"
        policy = env["svc.approval.policy"]
        model = env["ir.model"]._get_id("sale.order")
        cls.credit_policy = policy.create(
            {"name": "Gate: credit", "sequence": 1, "model_id": model,
             "domain": "['|', ('svc_credit_limit_exceeded', '=', True), ('svc_overdue_days', '>', 30)]",
             "step_ids": [Command.create({"name": "Finance", "approver_type": "group",
                                          "group_id": env.ref("account.group_account_manager").id})]}
        )  # fmt: skip
        cls.margin_policy = policy.create(
            {"name": "Gate: margin", "sequence": 2, "model_id": model,
             "domain": "[('amount_untaxed', '>', 0), '|', ('svc_margin_percent', '<', 15), ('svc_max_discount', '>', 20)]",
             "step_ids": [Command.create({"name": "Sales manager", "approver_type": "group",
                                          "group_id": env.ref("sales_team.group_sale_manager").id})]}
        )  # fmt: skip

    @classmethod
    def _order(cls, partner, qty=1, price=1500, discount=0.0, user=None):
        return (
            cls.env["sale.order"]
            .with_user(user or cls.salesperson)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": (user or cls.salesperson).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "discount": discount,
                                "tax_id": [],
                            }
                        )
                    ],
                }
            )
        )

    # ---------------------------------------------------------------- figures
    def test_gate_figures_against_hand_computed_values(self):
        order = self._order(self.customer, qty=1, price=1500, discount=10)  # 1,350 untaxed, no tax
        order._svc_refresh_gate_figures()
        # receivable 1,000 + confirmed not invoiced 1,000 + this order 1,350
        self.assertAlmostEqual(order.svc_credit_exposure, 3350.0)
        self.assertEqual(order.svc_credit_limit, 3000.0)
        self.assertTrue(order.svc_credit_limit_exceeded)
        self.assertAlmostEqual(order.svc_overdue_amount, 1000.0)
        self.assertEqual(order.svc_overdue_days, 40)
        # margin 1,350 - 1,000 = 350 over 1,350
        self.assertAlmostEqual(order.svc_margin_percent, 25.93, places=2)
        self.assertEqual(order.svc_max_discount, 10.0)
        self.assertFalse(order.svc_new_customer, "the customer has a confirmed order")
        self.assertIn("over the", order.svc_gate_reason)
        self.assertIn("40 days", order.svc_gate_reason)

        fresh = self._order(self.newcomer, qty=3, price=1000, discount=5)  # 2,850 untaxed
        fresh._svc_refresh_gate_figures()
        self.assertAlmostEqual(fresh.svc_credit_exposure, 2850.0)
        self.assertFalse(fresh.svc_credit_limit_exceeded, "no credit limit set")
        self.assertEqual((fresh.svc_overdue_amount, fresh.svc_overdue_days), (0.0, 0))
        # 2,850 - 3,000 = -150
        self.assertAlmostEqual(fresh.svc_margin_percent, -150 / 2850 * 100, places=2)
        self.assertEqual(fresh.svc_max_discount, 5.0)
        self.assertTrue(fresh.svc_new_customer)

    def test_margin_floor_of_the_category_prevails_over_the_company(self):
        self.env.company.svc_margin_floor = 20
        order = self._order(self.customer, qty=1, price=1500, discount=10)  # margin 25.93%
        self.assertEqual(order.svc_margin_floor, 20.0)
        self.assertFalse(order.svc_margin_below_floor)
        self.product.categ_id.svc_margin_floor = 30
        self.assertEqual(order.svc_margin_floor, 30.0)
        self.assertTrue(order.svc_margin_below_floor)
        self.assertIn("margin 25.9% under the 30.0% floor", order.svc_gate_reason)
        found = self.env["sale.order"].search([("id", "=", order.id), ("svc_margin_below_floor", "=", True)])
        self.assertEqual(found, order)

    def test_figures_are_searchable_and_follow_payments(self):
        order = self._order(self.customer, qty=1, price=1500, discount=10)
        order._svc_refresh_gate_figures()
        found = self.env["sale.order"].search(
            [("id", "=", order.id), ("svc_credit_limit_exceeded", "=", True), ("svc_overdue_days", ">", 30)]
        )
        self.assertEqual(found, order)
        # the invoice paid: no receivable, nothing overdue; 1,000 + 1,350 under the 3,000 limit
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        order._svc_refresh_gate_figures()
        self.assertAlmostEqual(order.svc_credit_exposure, 2350.0)
        self.assertFalse(order.svc_credit_limit_exceeded)
        self.assertEqual((order.svc_overdue_amount, order.svc_overdue_days), (0.0, 0))

    def test_figures_of_a_batch_in_constant_queries(self):
        orders = self.env["sale.order"].browse()
        for _i in range(3):
            orders |= self._order(self.customer) | self._order(self.newcomer)
        orders._svc_refresh_gate_figures()
        more = orders
        for _i in range(10):
            more |= self._order(self.customer) | self._order(self.newcomer)
        small, large = self._queries(orders), self._queries(more)
        self.assertLessEqual(large, small + 2, "the figures of 26 orders cost the queries of 6")

    def _queries(self, orders):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        orders._svc_refresh_gate_figures()
        return self.env.cr.sql_log_count - before

    # ------------------------------------------------------------------- flow
    def test_confirm_to_approve_then_approve_confirms(self):
        order = self._order(self.newcomer, qty=2, price=1500, discount=25)  # discount above 20%
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual((order.state, order.approval_state), ("to_approve", "pending"))
        self.assertEqual(order.approval_policy_id, self.margin_policy)
        self.assertFalse(order.with_user(self.salesperson).can_approve)
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).action_approve()
        self.assertFalse(order.with_user(self.finance).can_approve, "finance is no step of this policy")
        self.assertTrue(order.with_user(self.sales_manager).can_approve)
        order.with_user(self.sales_manager).action_approve()
        self.assertEqual((order.state, order.approval_state), ("sale", "approved"))
        self.assertTrue(order.picking_ids, "Odoo's own confirmation ran (delivery created)")

    def test_outbox_tells_blocked_then_approved(self):
        types = self.env["svc.event.type"].search([("code", "in", ("sale.gate_blocked", "sale.approved"))])
        self.assertEqual(len(types), 2)
        self.env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
        self.env["svc.webhook.endpoint"].create(
            {"name": "ERP mirror", "url": "http://127.0.0.1:9/hook", "event_type_ids": [(6, 0, types.ids)]}
        )
        order = self._order(self.customer, qty=1, price=1500)
        order.with_user(self.salesperson).action_confirm()
        outbox = self.env["svc.outbox.event"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(outbox.mapped("event_type"), ["sale.gate_blocked"])
        self.assertEqual(outbox.payload["credit_exposure"], 3500.0)
        self.assertEqual(outbox.payload["overdue_days"], 40)
        order.with_user(self.finance).action_approve()
        outbox = self.env["svc.outbox.event"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertCountEqual(outbox.mapped("event_type"), ["sale.gate_blocked", "sale.approved"])

    def test_credit_goes_to_finance(self):
        order = self._order(self.customer, qty=1, price=1500)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual((order.state, order.approval_policy_id), ("to_approve", self.credit_policy))
        self.assertFalse(order.with_user(self.sales_manager).can_approve)
        order.with_user(self.finance).action_approve()
        self.assertEqual(order.state, "sale")

    def test_rejection_returns_to_quotation_with_the_reason(self):
        order = self._order(self.newcomer, qty=1, price=1500, discount=30)
        order.with_user(self.salesperson).action_confirm()
        order.with_user(self.sales_manager).action_reject("30% is more than we give anyone")
        self.assertEqual((order.state, order.approval_state), ("draft", "rejected"))
        self.assertIn("30% is more than we give anyone", order.message_ids[0].body)
        # fixed: an order no policy governs confirms at once
        order.order_line.with_user(self.salesperson).discount = 0
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual((order.state, order.approval_state), ("sale", "not_required"))

    def test_ungoverned_orders_confirm_in_the_same_batch(self):
        governed = self._order(self.newcomer, qty=1, price=1500, discount=30)
        plain = self._order(self.newcomer, qty=1, price=1500)
        (governed | plain).with_user(self.salesperson).action_confirm()
        self.assertEqual(governed.state, "to_approve")
        self.assertEqual((plain.state, plain.approval_state), ("sale", "not_required"))

    def test_cancel_withdraws_the_request(self):
        order = self._order(self.newcomer, qty=1, price=1500, discount=30)
        order.with_user(self.salesperson).action_confirm()
        order.with_user(self.salesperson).with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual((order.state, order.approval_state), ("cancel", "not_required"))
        self.assertFalse(order.approval_request_ids.filtered(lambda req: req.state == "pending"))

    # -------------------------------------------------------------- no bypass
    def _refused(self, call, message=""):
        """The call is refused with a UserError; its writes are rolled back as over RPC."""
        with self.assertRaisesRegex(UserError, message), self.env.cr.savepoint():
            call()
            self.env.flush_all()
        self.env.invalidate_all()

    def test_no_bypass_by_write_context_or_repeated_confirm(self):
        quotation = self._order(self.newcomer, qty=1, price=1500, discount=30)
        as_salesperson = quotation.with_user(self.salesperson)
        self._refused(lambda: as_salesperson.write({"state": "sale"}), "needs approval under its policy")
        keys = {"svc_approval_no_reset": True, "svc_approval_released": True, "skip_approval": True}
        as_salesperson.with_context(**keys).action_confirm()
        self.assertEqual(quotation.state, "to_approve", "context keys change nothing")
        for context in ({}, keys):
            self._refused(lambda ctx=context: as_salesperson.with_context(**ctx).action_confirm())
            self._refused(
                lambda ctx=context: as_salesperson.with_context(**ctx).write({"state": "sale"}),
                "waits for approval by",
            )
        self._refused(lambda: quotation.sudo().write({"state": "sale"}), "waits for approval by")
        self._refused(lambda: as_salesperson.write({"approval_state": "approved"}))
        self.assertEqual((quotation.state, quotation.approval_state), ("to_approve", "pending"))
        # the manager cannot skip their own approval step by confirming either
        self._refused(lambda: quotation.with_user(self.sales_manager).action_confirm())
        self.assertEqual(quotation.state, "to_approve")

    def test_emergency_release_confirms_and_opens_a_review(self):
        order = self._order(self.newcomer, qty=1, price=1500, discount=30)
        order.with_user(self.salesperson).action_confirm()
        self.assertIn("Sent to approval by policy Gate: margin", order.message_ids.mapped("body")[0])
        releaser = new_test_user(
            self.env,
            "gate_releaser",
            groups="sales_team.group_sale_manager,svc_approval_matrix.group_approval_emergency",
        )
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).action_emergency_release("Customer waits at the counter")
        order.with_user(releaser).action_emergency_release("Customer waits at the counter")
        self.assertEqual((order.state, order.approval_state), ("sale", "emergency"))
        self.assertTrue(order.approval_request_ids.filtered(lambda req: req.kind == "review"))

    def test_demo_order_over_credit_waits_for_finance(self):
        order = self.env.ref("svc_order_orchestration.demo_order_over_credit")
        self.assertEqual((order.state, order.approval_state), ("to_approve", "pending"))
        self.assertEqual(
            order.approval_policy_id, self.env.ref("svc_order_orchestration.demo_policy_so_credit")
        )
        self.assertTrue(order.svc_credit_limit_exceeded)
        self.assertIn("over the", order.svc_gate_reason)
