from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import new_test_user


class LateInboundFixture:
    """A warehouse with on-hand stock, a confirmed purchase order and committed deliveries.

    Product "Standing Desk": 5 on hand in WH/Stock. Delivery OUT-A (4, due in 5 days) is
    covered by stock; delivery OUT-B (6, due in 10 days, salesperson Sam) needs the purchase
    order's receipt of 10, planned in 8 days.
    """

    @classmethod
    def _setup_late_inbound(cls):
        env = cls.env
        cls.warehouse = env.ref("stock.warehouse0")
        cls.buyer = new_test_user(
            env, "svc_li_buyer", groups="base.group_user,svc_procurement_orchestration.group_procurement_user"
        )
        cls.salesperson = new_test_user(env, "svc_li_sales", groups="base.group_user,stock.group_stock_user")
        cls.vendor = env["res.partner"].create({"name": "Late Inbound Vendor", "is_company": True})
        cls.product = env["product.product"].create(
            {"name": "Standing Desk", "default_code": "DESK-01", "type": "product",
             "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 300.0})]}
        )  # fmt: skip
        env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 5.0)
        cls.today = datetime.combine(fields.Date.today(), datetime.min.time()) + timedelta(hours=10)
        cls.customer = env["res.partner"].create({"name": "Committed Customer"})
        cls.out_a = cls._delivery(4, cls.today + timedelta(days=5), "S-A")
        cls.out_b = cls._delivery(6, cls.today + timedelta(days=10), "S-B")
        cls.order = (
            env["purchase.order"]
            .with_user(cls.buyer)
            .create(
                {"partner_id": cls.vendor.id, "date_planned": cls.today + timedelta(days=8),
                 "order_line": [(0, 0, {"product_id": cls.product.id, "product_qty": 10, "price_unit": 300.0,
                                        "date_planned": cls.today + timedelta(days=8)})]}
            )
        )  # fmt: skip
        cls.order.button_confirm()
        cls.receipt = cls.order.picking_ids

    @classmethod
    def _delivery(cls, quantity, deadline, origin, user=None):
        picking_type = cls.warehouse.out_type_id
        picking = cls.env["stock.picking"].create(
            {"picking_type_id": picking_type.id, "partner_id": cls.customer.id, "origin": origin,
             "user_id": (user or cls.salesperson).id, "location_id": cls.warehouse.lot_stock_id.id,
             "location_dest_id": cls.customer.property_stock_customer.id, "scheduled_date": deadline,
             "move_ids": [(0, 0, {"name": cls.product.name, "product_id": cls.product.id,
                                  "product_uom_qty": quantity, "product_uom": cls.product.uom_id.id,
                                  "date_deadline": deadline, "date": deadline,
                                  "location_id": cls.warehouse.lot_stock_id.id,
                                  "location_dest_id": cls.customer.property_stock_customer.id})]}
        )  # fmt: skip
        picking.action_confirm()
        return picking

    def _late_exceptions(self, order=None):
        return self.env["svc.exception"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", (order or self.order).id),
             ("key", "=", "inbound_late")]
        )  # fmt: skip
