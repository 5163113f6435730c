from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestReplenishmentRun(SvcOpsCase):
    """The review runs Odoo's reordering rules, confirms their RFQs per supplier, keeps the figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.warehouse = env.ref("stock.warehouse0")
        cls.buyer = new_test_user(
            env, "svc_rr_buyer", groups="base.group_user,svc_procurement_orchestration.group_procurement_user"
        )
        cls.manager = new_test_user(
            env,
            "svc_rr_manager",
            groups="base.group_user,svc_procurement_orchestration.group_procurement_manager",
        )
        # Odoo's own two-step validation stands in for the approval policies here: a buyer's
        # RFQ of 1,000 or more waits in "To Approve"
        env.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 1000})
        cls.cheap_vendor = env["res.partner"].create({"name": "Cheap Catalog Vendor", "is_company": True})
        cls.big_vendor = env["res.partner"].create(
            {"name": "Big Ticket Vendor", "is_company": True, "buyer_id": cls.buyer.id}
        )
        buy = env.ref("purchase_stock.route_warehouse0_buy")
        cls.cable = cls._product("Patch Cable", cls.cheap_vendor, 2.0, buy)
        cls.switch = cls._product("Core Switch", cls.big_vendor, 900.0, buy)
        cls.unused = cls._product("Spare Rack", cls.cheap_vendor, 50.0, buy)
        orderpoints = env["stock.warehouse.orderpoint"]
        # only this test's rules are automatic (the demo's have their own review)
        orderpoints.search([("trigger", "=", "auto")]).write({"trigger": "manual"})
        for product, minimum, maximum in ((cls.cable, 10, 50), (cls.switch, 1, 2), (cls.unused, 0, 5)):
            orderpoints.create(
                {"product_id": product.id, "warehouse_id": cls.warehouse.id, "location_id":
                 cls.warehouse.lot_stock_id.id, "product_min_qty": minimum, "product_max_qty": maximum,
                 "trigger": "auto"}
            )  # fmt: skip
        env["stock.quant"]._update_available_quantity(cls.unused, cls.warehouse.lot_stock_id, 3.0)
        cls.runs = env["svc.replenishment.run"]

    @classmethod
    def _product(cls, name, vendor, price, route):
        return cls.env["product.product"].create(
            {"name": name, "type": "product", "route_ids": [(6, 0, route.ids)],
             "seller_ids": [(0, 0, {"partner_id": vendor.id, "price": price})]}
        )  # fmt: skip

    def test_manager_run_confirms_cheap_rfqs_and_sends_big_ones_to_approval(self):
        run_id = self.runs.with_user(self.manager).action_run_now()
        run = self.runs.with_user(self.manager).browse(run_id)
        self.assertEqual((run.rfqs_created, run.rfqs_reviewed), (2, 2))
        self.assertEqual((run.confirmed, run.sent_to_approval, run.failed), (1, 1, 0))
        cable_order = run.po_ids.filtered(lambda order: order.partner_id == self.cheap_vendor)
        switch_order = run.po_ids.filtered(lambda order: order.partner_id == self.big_vendor)
        self.assertEqual((cable_order.state, cable_order.order_line.product_qty), ("purchase", 50.0))
        self.assertEqual((switch_order.state, switch_order.user_id), ("to approve", self.buyer))
        self.assertEqual(switch_order.amount_untaxed, 1800.0)
        self.assertIn(f"{switch_order.name} (to approve)", run.log)
        self.assertEqual(run.company_id, self.env.company)

        # the next run finds the incoming quantities: nothing new, a second row in the history
        second = self.runs.browse(self.runs.with_user(self.manager).action_run_now())
        self.assertEqual((second.rfqs_created, second.rfqs_reviewed, second.confirmed), (0, 0, 0))
        self.assertIn("No reordering rule needed a purchase", second.log)
        history = self.runs.with_user(self.manager).search([("company_id", "=", self.env.company.id)])
        self.assertEqual(history[:2], second | run)
        self.assertEqual(run.action_view_orders()["domain"], [("id", "in", run.po_ids.ids)])
        opened = self.runs.with_user(self.manager).action_run_now_and_open()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]),
            ("svc.replenishment.run", self.runs.search([], limit=1).id),
        )

    def test_scheduled_action_runs_the_review(self):
        cron = self.env.ref("svc_procurement_orchestration.ir_cron_replenishment_review")
        mine = [("company_id", "=", self.env.company.id)]
        before = self.runs.search_count(mine)
        cron.method_direct_trigger()
        self.assertEqual(
            self.runs.search_count(mine), before + 1, "one run per company with reordering rules"
        )
        run = self.runs.search(mine, limit=1)
        self.assertIn(self.cheap_vendor.name, run.log)
        self.assertIn(self.big_vendor.name, run.log)

    def test_buyer_cannot_run_or_read_the_history(self):
        with self.assertRaisesRegex(UserError, "Only a purchasing manager"):
            self.runs.with_user(self.buyer).action_run_now()
        self.runs.with_user(self.manager).action_run_now()
        with self.assertRaises(AccessError):
            self.runs.with_user(self.buyer).search([])
