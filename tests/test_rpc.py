"""Cross-module checks over the real XML-RPC endpoint, as an integration client calls it."""

import xmlrpc.client

from odoo.tests import HttpCase, tagged

SUITE = [
    "svc_ops_base",
    "svc_approval_matrix",
    "svc_warehouse_kits",
    "svc_procurement_orchestration",
    "svc_resource_planning",
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
