"""Cross-module checks over the real XML-RPC endpoint, as an integration client calls it."""

import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

SUITE = [
    "svc_ops_base",
    "svc_approval_matrix",
    "svc_warehouse_kits",
    "svc_procurement_orchestration",
    "svc_resource_planning",
    "svc_order_orchestration",
]


@tagged("post_install", "-at_install")
class TestXmlRpc(HttpCase):
    """The five-line XML-RPC example of the README works against a running server."""

    def setUp(self):
        super().setUp()
        base = self.base_url()
        self.common = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/common")
        self.models = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)
        self.db = self.env.cr.dbname

    def test_the_suite_is_installed_and_answers(self):
        uid = self.common.authenticate(self.db, "admin", "admin", {})
        self.assertTrue(uid, "admin/admin logs in over XML-RPC")
        installed = self.models.execute_kw(
            self.db, uid, "admin", "ir.module.module", "search_read",
            [[("name", "in", SUITE), ("state", "=", "installed")]], {"fields": ["name"]},
        )  # fmt: skip
        self.assertCountEqual([module["name"] for module in installed], SUITE)

    def test_exception_queue_over_rpc(self):
        uid = self.common.authenticate(self.db, "admin", "admin", {})
        exception_id = self.models.execute_kw(
            self.db, uid, "admin", "svc.exception", "create", [{"name": "Raised by n8n", "severity": "high"}]
        )
        self.assertIs(
            self.models.execute_kw(self.db, uid, "admin", "svc.exception", "action_take", [[exception_id]]),
            True,
        )
        [exception] = self.models.execute_kw(
            self.db, uid, "admin", "svc.exception", "read", [[exception_id], ["state", "owner_id"]]
        )
        self.assertEqual(exception["state"], "in_progress")
        self.assertEqual(exception["owner_id"][0], uid)
        self.models.execute_kw(
            self.db, uid, "admin", "svc.exception", "action_resolve", [[exception_id], "Fixed"]
        )
        with self.assertRaisesRegex(xmlrpc.client.Fault, "reopen it first"):
            self.models.execute_kw(self.db, uid, "admin", "svc.exception", "action_resolve", [[exception_id]])

    def test_material_request_and_its_dispatch_over_rpc(self):
        """A requester's client builds a request from a kit and submits it; the transfer waits
        for the dispatch sign-off, which a warehouse manager's client gives."""
        env = self.env
        model = env["ir.model"]._get("svc.material.request")
        env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        env.company.svc_dispatch_threshold = 2000
        requester = new_test_user(
            env, "rpc_requester", groups="base.group_user,svc_warehouse_kits.group_kits_user"
        )
        manager = new_test_user(
            env, "rpc_warehouse", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        laptop = env["product.product"].create(
            {"name": "RPC laptop", "detailed_type": "product", "tracking": "serial", "standard_price": 1500}
        )
        stock = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).lot_stock_id
        for name in ("RPC-1", "RPC-2"):
            lot = env["stock.lot"].create(
                {"name": name, "product_id": laptop.id, "company_id": env.company.id}
            )
            env["stock.quant"]._update_available_quantity(laptop, stock, 1.0, lot_id=lot)
        kit = env["svc.kit"].create(
            {"name": "RPC kit", "code": "RPC", "line_ids": [(0, 0, {"product_id": laptop.id, "quantity": 2})]}
        )
        project = env["project.project"].create({"name": "RPC project"})

        def call(user, model_name, method, *args, **kwargs):
            uid = self.common.authenticate(self.db, user.login, self._password(user), {})
            return self.models.execute_kw(
                self.db, uid, self._password(user), model_name, method, list(args), kwargs
            )

        needed = str(fields.Date.today() + timedelta(days=7))
        mr = call(
            requester, "svc.material.request", "create", {"project_id": project.id, "needed_date": needed}
        )
        self.assertIs(call(requester, "svc.material.request", "action_add_kit", [mr], kit.id), True)
        self.assertIs(call(requester, "svc.material.request", "action_submit", [mr]), True)
        [request] = call(
            requester,
            "svc.material.request",
            "read",
            [mr],
            ["state", "availability", "dispatch_id", "picking_ids"],
        )
        self.assertEqual((request["state"], request["availability"]), ("in_progress", "full"))
        picking_id, dispatch_id = request["picking_ids"][0], request["dispatch_id"][0]
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be validated yet"):
            call(manager, "stock.picking", "button_validate", [picking_id])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot approve their own"):
            call(requester, "svc.material.dispatch", "action_approve", [dispatch_id])
        self.assertIs(call(manager, "svc.material.dispatch", "action_approve", [dispatch_id]), True)
        self.assertIs(call(manager, "stock.picking", "button_validate", [picking_id]), True)
        [picking] = call(manager, "stock.picking", "read", [picking_id], ["state"])
        self.assertEqual(picking["state"], "done")

    @staticmethod
    def _password(user):
        return user.login + "x" * (8 - len(user.login))  # what new_test_user gives
