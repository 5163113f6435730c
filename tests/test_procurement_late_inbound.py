"""Late inbound against a real sale: the committed delivery of a confirmed sale order, and the
procurement figures over XML-RPC as a purchasing manager's integration reads them."""

import xmlrpc.client
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLateInboundSale(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = env.ref("stock.warehouse0")
        cls.salesperson = new_test_user(
            env, "svc_sale_rep", groups="base.group_user,sales_team.group_sale_salesman"
        )
        cls.buyer = new_test_user(
            env,
            "svc_sale_buyer",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_user",
        )
        cls.manager = new_test_user(
            env, "svc_rpc_purchasing", password="svc_rpc_purchasing",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
        )  # fmt: skip
        cls.vendor = env["res.partner"].create({"name": "Desk Factory", "is_company": True})
        cls.product = env["product.product"].create(
            {"name": "Sit-Stand Desk", "type": "product", "list_price": 900.0,
             "seller_ids": [(0, 0, {"partner_id": cls.vendor.id, "price": 400.0})]}
        )  # fmt: skip
        cls.today = datetime.combine(fields.Date.today(), datetime.min.time()) + timedelta(hours=9)
        cls.customer = env["res.partner"].create({"name": "Northwind Traders"})
        cls.sale = (
            env["sale.order"]
            .with_user(cls.salesperson)
            .create(
                {"partner_id": cls.customer.id, "commitment_date": cls.today + timedelta(days=7),
                 "warehouse_id": cls.warehouse.id,
                 "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 3})]}
            )
        )  # fmt: skip
        cls.sale.action_confirm()
        cls.order = (
            env["purchase.order"]
            .with_user(cls.buyer)
            .create(
                {"partner_id": cls.vendor.id,
                 "order_line": [(0, 0, {"product_id": cls.product.id, "product_qty": 3, "price_unit": 400.0,
                                        "date_planned": cls.today + timedelta(days=5)})]}
            )
        )  # fmt: skip
        cls.order.button_confirm()

    def test_committed_sale_delivery_made_late_names_the_sale_and_tells_the_salesperson(self):
        delivery_move = self.sale.picking_ids.move_ids
        self.assertEqual(delivery_move.date_deadline, self.today + timedelta(days=7), "the commitment date")
        self.assertFalse(self.order.inbound_late)
        self.order.picking_ids.with_user(self.buyer).scheduled_date = self.today + timedelta(days=9)
        exception = self.env["svc.exception"].search(
            [
                ("res_model", "=", "purchase.order"),
                ("res_id", "=", self.order.id),
                ("key", "=", "inbound_late"),
            ]
        )
        self.assertEqual(len(exception), 1)
        self.assertIn(self.sale.name, exception.message)
        activity = self.env["mail.activity"].search([("summary", "=", f"Late inbound: {self.order.name}")])
        self.assertEqual((activity.res_model, activity.res_id), ("sale.order", self.sale.id))
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn(self.order.name, self.sale.with_user(self.salesperson).activity_ids.note)

        self.order.picking_ids.with_user(self.buyer).scheduled_date = self.today + timedelta(days=6)
        self.assertEqual(exception.state, "resolved")
        self.assertFalse(self.sale.activity_ids)

    def test_purchasing_manager_reads_late_inbound_runs_and_performance_over_xmlrpc(self):
        self.order.picking_ids.scheduled_date = self.today + timedelta(days=9)
        self.env.flush_all()  # the server's request shares this cursor, not this cache
        base = self.base_url()
        db = self.env.cr.dbname
        uid = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common").authenticate(
            db, "svc_rpc_purchasing", "svc_rpc_purchasing", {}
        )
        models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)

        def call(model, method, *args, **kwargs):
            return models.execute_kw(db, uid, "svc_rpc_purchasing", model, method, list(args), kwargs)

        late = call(
            "purchase.order",
            "search_read",
            [("inbound_late", "=", True)],
            fields=["name", "inbound_late_count"],
        )
        self.assertIn({"id": self.order.id, "name": self.order.name, "inbound_late_count": 1}, late)
        self.assertIs(call("purchase.order", "action_check_late_inbound", [self.order.id]), True)
        run_id = call("svc.replenishment.run", "action_run_now")
        [run] = call(
            "svc.replenishment.run", "read", [run_id], ["rfqs_created", "confirmed", "sent_to_approval"]
        )
        self.assertEqual(set(run), {"id", "rfqs_created", "confirmed", "sent_to_approval"})
        [vendor] = call("res.partner", "read", [self.vendor.id], ["svc_perf_on_time_rate", "supplier_risk"])
        self.assertEqual(vendor["supplier_risk"], "low")
