import xmlrpc.client

from odoo.tests import HttpCase, tagged

from .common import setup_procurement


@tagged("post_install", "-at_install")
class TestPurchaseApprovalUi(HttpCase):
    """In a real browser and over XML-RPC: a buyer confirms, the approver approves, the order is confirmed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        setup_procurement(cls)
        cls.env["res.partner"].create({"name": "Tour Vendor", "is_company": True, "supplier_risk": "low"})
        cls.env["product.product"].create(
            {"name": "Tour Server", "detailed_type": "consu", "standard_price": 2500}
        )

    def test_buyer_confirms_approver_approves_in_the_browser(self):
        self.start_tour(
            "/web#action=purchase.purchase_rfq", "svc_purchase_approval_buyer", login=self.buyer.login
        )
        order = self.env["purchase.order"].search([("partner_id.name", "=", "Tour Vendor")])
        self.assertEqual((order.state, order.approval_state), ("to approve", "pending"))
        self.start_tour(
            "/web#action=svc_procurement_orchestration.action_purchase_order_to_approve",
            "svc_purchase_approval_approver",
            login=self.purchasing_manager.login,
        )
        self.assertEqual((order.state, order.approval_state), ("purchase", "approved"))
        self.assertEqual(order.approval_request_ids.decided_by_id, self.purchasing_manager)

    def test_the_whole_flow_over_xmlrpc(self):
        base = self.base_url()
        common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common")
        models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)
        db = self.env.cr.dbname
        # new_test_user's password is the login
        buyer_pwd, manager_pwd = self.buyer.login, self.purchasing_manager.login
        buyer = common.authenticate(db, self.buyer.login, buyer_pwd, {})
        manager = common.authenticate(db, self.purchasing_manager.login, manager_pwd, {})
        vendor_id = self.env["res.partner"].search([("name", "=", "Tour Vendor")]).id
        product_id = self.env["product.product"].search([("name", "=", "Tour Server")]).id

        def call(uid, password, method, *args, **kwargs):
            return models.execute_kw(db, uid, password, "purchase.order", method, list(args), kwargs)

        order_id = call(buyer, buyer_pwd, "create", {
            "partner_id": vendor_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_qty": 3, "price_unit": 2500})],
        })  # fmt: skip
        self.assertIs(call(buyer, buyer_pwd, "button_confirm", [order_id]), True)
        self.assertEqual(call(manager, manager_pwd, "search", [("can_approve", "=", True)]), [order_id])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "the requester cannot approve their own document"):
            call(buyer, buyer_pwd, "action_approve", [order_id])
        self.assertIs(call(manager, manager_pwd, "action_approve", [order_id], comment="OK"), True)
        self.assertIs(
            call(buyer, buyer_pwd, "action_acknowledge", [order_id], promised_date="2031-01-15"), True
        )
        [order] = call(buyer, buyer_pwd, "read", [order_id], ["state", "approval_state", "ack_state"])
        self.assertEqual(
            (order["state"], order["approval_state"], order["ack_state"]),
            ("purchase", "approved", "acknowledged"),
        )
