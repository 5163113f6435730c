"""Across addons: a material request short of a product with a Buy route and a vendor gets an RFQ."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


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
