import xmlrpc.client

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSaleApprovalUi(HttpCase):
    """In a real browser and over XML-RPC: the salesperson confirms, the order waits in To
    Approve, the sales manager approves, the order is confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.salesperson = new_test_user(env, "tour_salesperson", groups="sales_team.group_sale_salesman")
        cls.sales_manager = new_test_user(env, "tour_sales_manager", groups="sales_team.group_sale_manager")
        customer = env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        product = env["product.product"].create(
            {"name": "Tour Pump", "detailed_type": "consu", "list_price": 1000, "standard_price": 950}
        )
        env["svc.approval.policy"].create(
            {"name": "Tour: margin under 15%", "sequence": 1,
             "model_id": env["ir.model"]._get_id("sale.order"),
             "domain": "[('partner_id.name', '=', 'Tour Customer'), ('svc_margin_percent', '<', 15)]",
             "step_ids": [Command.create({"name": "Sales manager", "approver_type": "user",
                                          "user_ids": [Command.set(cls.sales_manager.ids)]})]}
        )  # fmt: skip
        cls.order = (
            env["sale.order"]
            .with_user(cls.salesperson)
            .create(
                {
                    "partner_id": customer.id,
                    "user_id": cls.salesperson.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2, "tax_id": []})
                    ],
                }
            )
        )

    def test_salesperson_confirms_manager_approves_in_the_browser(self):
        url = f"/web#id={self.order.id}&model=sale.order&view_type=form"
        self.start_tour(url, "svc_sale_approval_salesperson", login=self.salesperson.login)
        self.assertEqual((self.order.state, self.order.approval_state), ("to_approve", "pending"))
        self.start_tour(
            "/web#action=svc_order_orchestration.action_sale_order_to_approve",
            "svc_sale_approval_manager",
            login=self.sales_manager.login,
        )
        self.assertEqual((self.order.state, self.order.approval_state), ("sale", "approved"))

    def test_no_bypass_over_xmlrpc(self):
        base = self.base_url()
        common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common")
        models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)
        db = self.env.cr.dbname
        login = self.salesperson.login  # new_test_user's password is the login
        uid = common.authenticate(db, login, login, {})

        def call(method, *args, **kwargs):
            return models.execute_kw(db, uid, login, "sale.order", method, list(args), kwargs)

        context = {"svc_approval_no_reset": True, "skip_approval": True}
        with self.assertRaisesRegex(xmlrpc.client.Fault, "needs approval under its policy"):
            call("write", [self.order.id], {"state": "sale"})
        self.assertIs(call("action_confirm", [self.order.id], context=context), True)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "not in a state requiring confirmation"):
            call("action_confirm", [self.order.id], context=context)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "waits for approval by"):
            call("write", [self.order.id], {"state": "sale"}, context=context)
        [order] = call("read", [self.order.id], ["state", "approval_state"])
        self.assertEqual((order["state"], order["approval_state"]), ("to_approve", "pending"))
