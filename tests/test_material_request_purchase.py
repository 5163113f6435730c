"""Across addons: a material request short of a product with a Buy route and a vendor gets an RFQ."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestShortageBuysThroughTheWarehouseRoutes(TransactionCase):
    def test_shortage_of_a_bought_product_creates_an_rfq(self):
        env = self.env
        model = env["ir.model"]._get("svc.material.request")
        env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        vendor = env["res.partner"].create({"name": "Switch Vendor"})
        switch = env["product.product"].create(
            {
                "name": "Cross-module switch",
                "detailed_type": "product",
                "standard_price": 200,
                "route_ids": [(6, 0, env.ref("purchase_stock.route_warehouse0_buy").ids)],
                "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 190})],
            }
        )
        request = env["svc.material.request"].create(
            {
                "project_id": env["project.project"].create({"name": "Buy project"}).id,
                "needed_date": fields.Date.today() + timedelta(days=7),
                "line_ids": [(0, 0, {"product_id": switch.id, "quantity": 3})],
            }
        )
        request.action_submit()
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(request.availability, "none")
        rfq = env["purchase.order.line"].search([("product_id", "=", switch.id)]).order_id
        self.assertEqual((rfq.partner_id, rfq.state), (vendor, "draft"))
        self.assertEqual(sum(rfq.order_line.mapped("product_qty")), 3)
        exception = env["svc.exception"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertEqual(exception.category, "shortage")


@tagged("post_install", "-at_install")
class TestReceivingNeedsNoMaterialRequestRights(TransactionCase):
    def test_buyer_without_material_request_rights_validates_a_receipt(self):
        """Loans and request states follow every validated move, whoever validates it."""
        env = self.env
        buyer = new_test_user(
            env, "mrp_buyer", groups="base.group_user,purchase.group_purchase_user,stock.group_stock_user"
        )
        vendor = env["res.partner"].create({"name": "Receipt Vendor"})
        product = env["product.product"].create(
            {
                "name": "Received dock",
                "detailed_type": "product",
                "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": 10})],
            }
        )
        order = env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_qty": 2, "price_unit": 10})],
            }
        )
        order.button_confirm()
        self.assertEqual(order.state, "purchase")  # a catalog order under every threshold: no approval
        receipt = order.picking_ids.with_user(buyer)
        receipt.move_ids.quantity = 2
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(product.qty_available, 2)
