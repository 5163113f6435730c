import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MaterialRequestCase


class TestDispatchWithoutApprover(MaterialRequestCase):
    """The only warehouse manager requests serialized assets: the request is approved all the
    same, its dispatch waits for an approver, and the queue asks the managers for one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.svc_dispatch_threshold = 1000  # one laptop (1,500) needs the sign-off
        # the requester is the only warehouse manager (the demo data has one more)
        cls.env.ref("svc_warehouse_kits.group_kits_manager").users = cls.wh_manager

    def _own_request_approved(self):
        request = self._request([(self.laptop, 1)], user=self.wh_manager)
        request.with_user(self.wh_manager).action_submit()
        request.with_user(self.project_manager).action_approve()  # the request's own approver
        self.assertEqual(request.state, "in_progress", "the request's approval does not fail on its dispatch")
        return request

    def _open_exception(self, dispatch):
        return self.env["svc.exception"].search(
            [("res_model", "=", dispatch._name), ("res_id", "=", dispatch.id),
             ("key", "=", "dispatch_no_approver"), ("state", "in", ("open", "in_progress"))]
        )  # fmt: skip

    def test_the_dispatch_waits_for_an_approver_and_the_queue_asks_for_one(self):
        request = self._own_request_approved()
        dispatch = request.dispatch_id
        self.assertTrue(dispatch.approver_missing)
        self.assertFalse(dispatch.approval_request_ids, "no step without an approver")
        self.assertEqual(
            dispatch._svc_approval_state_label(), "Waiting for an approver: no eligible warehouse manager"
        )
        self.assertTrue(request.message_ids.filtered(lambda m: "Waiting for an approver" in (m.body or "")))
        exception = self._open_exception(dispatch)
        self.assertEqual(len(exception), 1)
        self.assertEqual((exception.category, exception.severity), ("approval", "high"))
        self.assertIn("Give the Material Requests / Manager group another member", exception.message)
        self.assertEqual(
            exception.owner_id,
            self.env.ref("base.user_admin"),
            "no other warehouse manager: the administrator",
        )
        self.assertIn(dispatch, self.env["svc.material.dispatch"].with_user(self.wh_manager).search(
            [("approver_missing", "=", True)]))  # fmt: skip

        picking = request.picking_ids
        self.assertEqual(picking.state, "assigned", "reserved all the same: only the validation waits")
        with self.assertRaisesRegex(UserError, "cannot be validated yet.*Waiting for an approver"):
            picking.with_user(self.wh_manager).button_validate()
        with self.assertRaisesRegex(UserError, "not waiting for a decision"):
            dispatch.with_user(self.wh_manager).action_approve()
        with self.assertRaisesRegex(UserError, "needs 1 distinct approver"):
            dispatch.with_user(self.wh_manager).action_request_approval()  # still nobody
        self.assertTrue(dispatch.approver_missing)

        other_manager = new_test_user(
            self.env, "mr_wh_second", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        dispatch.with_user(self.wh_manager).action_request_approval()
        self.assertEqual(dispatch.approval_state, "pending")
        self.assertFalse(dispatch.approver_missing)
        self.assertEqual(dispatch.approval_request_ids.approver_ids, other_manager)
        self.assertFalse(self._open_exception(dispatch), "resolved once an approver is found")
        with self.assertRaisesRegex(UserError, "cannot be validated yet.*Pending Approval"):
            picking.with_user(self.wh_manager).button_validate()
        dispatch.with_user(other_manager).action_approve()
        picking.with_user(self.wh_manager).button_validate()
        self.assertEqual((picking.state, request.state), ("done", "done"))

    def test_the_exception_goes_to_another_warehouse_manager_when_there_is_one(self):
        other_manager = new_test_user(
            self.env, "mr_wh_other", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        request = self._request([(self.laptop, 1)], user=self.wh_manager)
        request.with_user(self.wh_manager).action_submit()
        request.with_user(self.project_manager).action_approve()
        self.assertFalse(request.dispatch_id.approver_missing, "another manager can sign off")
        self.assertEqual(request.dispatch_id.approval_request_ids.approver_ids, other_manager)
        self.assertFalse(self._open_exception(request.dispatch_id))

    def test_only_a_warehouse_manager_asks_for_the_approval_again(self):
        request = self._own_request_approved()
        for user in (self.requester, self.project_manager):
            with self.assertRaises(AccessError):
                request.dispatch_id.with_user(user).action_request_approval()
        self.assertTrue(request.dispatch_id.approver_missing)


@tagged("post_install", "-at_install")
class TestDispatchWithoutApproverOverRpc(HttpCase):
    """The same case from the clients of the requester-manager and of the project manager."""

    def test_the_project_managers_client_approves_and_the_dispatch_waits(self):
        env = self.env
        model = env["ir.model"]._get("svc.material.request")
        env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        env["svc.approval.policy"].create(
            {"name": "RPC: project manager", "model_id": model.id,
             "step_ids": [(0, 0, {"name": "Project manager", "approver_type": "record_field",
                                  "field_name": "project_manager_id"})]}
        )  # fmt: skip
        env.company.svc_dispatch_threshold = 1000
        manager = new_test_user(
            env, "rpc_only_wh", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        env.ref("svc_warehouse_kits.group_kits_manager").users = manager  # the only warehouse manager
        project_manager = new_test_user(env, "rpc_pm", groups="base.group_user,project.group_project_user")
        laptop = env["product.product"].create(
            {
                "name": "RPC solo laptop",
                "detailed_type": "product",
                "tracking": "serial",
                "standard_price": 1500,
            }
        )
        stock = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).lot_stock_id
        lot = env["stock.lot"].create(
            {"name": "RPC-SOLO-1", "product_id": laptop.id, "company_id": env.company.id}
        )
        env["stock.quant"]._update_available_quantity(laptop, stock, 1.0, lot_id=lot)
        project = env["project.project"].create({"name": "RPC solo project", "user_id": project_manager.id})
        common = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/common")
        models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object", allow_none=True)

        def call(user, model_name, method, *args):
            password = user.login + "x" * (8 - len(user.login))  # what new_test_user gives
            uid = common.authenticate(env.cr.dbname, user.login, password, {})
            return models.execute_kw(env.cr.dbname, uid, password, model_name, method, list(args))

        mr = call(manager, "svc.material.request", "create", {
            "project_id": project.id, "needed_date": str(fields.Date.today() + timedelta(days=7)),
            "line_ids": [(0, 0, {"product_id": laptop.id, "quantity": 1})]})  # fmt: skip
        self.assertIs(call(manager, "svc.material.request", "action_submit", [mr]), True)
        self.assertIs(call(project_manager, "svc.material.request", "action_approve", [mr]), True)
        [request] = call(
            manager, "svc.material.request", "read", [mr], ["state", "dispatch_id", "picking_ids"]
        )
        self.assertEqual(request["state"], "in_progress")
        [dispatch] = call(manager, "svc.material.dispatch", "read", [request["dispatch_id"][0]],
                          ["approver_missing", "approval_state"])  # fmt: skip
        self.assertTrue(dispatch["approver_missing"])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be validated yet"):
            call(manager, "stock.picking", "button_validate", [request["picking_ids"][0]])
