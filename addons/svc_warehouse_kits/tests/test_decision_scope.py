"""The lines of a material request follow the request: who may not write it may not change
or add its lines, and a quantity raised after approval sends it back, its transfer held."""

from odoo.exceptions import AccessError, UserError

from .common import MaterialRequestCase


class TestMaterialRequestDecisionScope(MaterialRequestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.policy_pm | cls.policy_small).reapprove_on_change = True

    def test_another_requester_cannot_change_or_add_lines_of_my_request(self):
        request = self._request([(self.dock, 1)])
        lines = self.env["svc.material.request.line"].with_user(self.other_requester)
        with self.assertRaises(AccessError):
            lines.browse(request.line_ids.ids).write({"quantity": 50})
        with self.assertRaises(AccessError):
            lines.create({"request_id": request.id, "product_id": self.switch.id, "quantity": 9})
        with self.assertRaises(AccessError):
            lines.browse(request.line_ids.ids).unlink()
        self.assertEqual(request.line_ids.mapped("quantity"), [1.0])

    def test_a_quantity_raised_after_approval_goes_back_and_holds_the_transfer(self):
        request = self._request([(self.dock, 12)])  # 1,200: the project manager approves
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        self.assertEqual((request.state, request.approval_state), ("in_progress", "approved"))
        request.line_ids.with_user(self.wh_manager).write({"quantity": 120})
        self.assertEqual(request.approval_state, "pending")
        reset = self.env["svc.approval.log"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id), ("event", "=", "reset")]
        )
        self.assertIn("amount 1,200.00 -> 12,000.00", reset.comment)
        with self.assertRaisesRegex(UserError, "Approval is missing"):
            request.picking_ids.with_user(self.wh_manager).button_validate()
        request.with_user(self.project_manager).action_approve()
        self.assertEqual(request.approval_state, "approved")

    def test_a_small_request_approved_by_its_policy_goes_back_when_a_line_is_added(self):
        request = self._request([(self.dock, 1)])
        request.action_submit()
        self.assertEqual(request.approval_state, "approved", "approved by the policy without steps")
        request.write({"line_ids": [(0, 0, {"product_id": self.switch.id, "quantity": 40})]})  # 8,000
        self.assertEqual(request.approval_state, "pending", "the project manager's policy applies now")
        self.assertEqual(request.approval_policy_id, self.policy_pm)
