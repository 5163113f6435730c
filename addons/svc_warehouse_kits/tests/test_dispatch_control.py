from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import MaterialRequestCase


class TestDispatchControl(MaterialRequestCase):
    """Serialized assets above the dispatch threshold leave once a warehouse manager signs off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.svc_dispatch_threshold = 2000

    def _refusal(self, call, *args, **kwargs):
        """The error of a refused call, keeping what the refusal wrote (assertRaises would roll
        back to a savepoint and hide the `denied` audit line)."""
        try:
            call(*args, **kwargs)
        except UserError as error:
            return str(error)
        self.fail(f"{call} was not refused")

    def _approved_laptops(self, quantity=2, user=None):
        request = self._request([(self.laptop, quantity)], user=user)  # 1,500 each
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        if request.state == "to_approve":  # the serialized policy's second step
            request.with_user(self.wh_manager).action_approve()
        self.assertEqual(request.state, "in_progress")
        return request

    def test_dispatch_is_blocked_until_a_warehouse_manager_approves_it(self):
        request = self._approved_laptops()
        dispatch = request.dispatch_id
        self.assertTrue(dispatch, "3,000 of serialized assets: above the 2,000 threshold")
        self.assertEqual((dispatch.serialized_value, dispatch.approval_state), (3000, "pending"))
        self.assertIn("2 x MR laptop", dispatch.serialized_summary)
        self.assertIn(dispatch, self.env["svc.material.dispatch"].with_user(self.wh_manager).search(
            [("can_approve", "=", True)]))  # fmt: skip
        picking = request.picking_ids
        self.assertEqual(picking.state, "assigned", "reserved all the same: only the validation waits")

        error = self._refusal(picking.with_user(self.wh_manager).button_validate)
        self.assertRegex(error, "cannot be validated yet.*Dispatch of .*Pending Approval")
        self.assertEqual(picking.state, "assigned")
        self.assertIn(
            picking.name, dispatch.approval_log_ids.filtered(lambda log: log.event == "denied").comment
        )
        self.assertFalse(self.env["svc.asset.loan"].search([("material_request_id", "=", request.id)]))

        dispatch.with_user(self.wh_manager).action_approve(comment="Serials checked")
        self.assertEqual(dispatch.approval_state, "approved")
        self.assertTrue(request.message_ids.filtered(lambda m: "Dispatch approved" in (m.body or "")))
        events = dispatch.approval_log_ids.mapped("event")
        self.assertIn("requested", events)
        self.assertIn("approved", events)

        picking.with_user(self.wh_manager).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(request.state, "done")
        self.assertEqual(
            len(self.env["svc.asset.loan"].search([("material_request_id", "=", request.id)])), 2
        )

    def test_only_a_warehouse_manager_may_sign_off_the_dispatch(self):
        request = self._approved_laptops()
        dispatch = request.dispatch_id
        for user, why in ((self.requester, "cannot approve their own"), (self.project_manager, "not an approver"),
                          (self.other_requester, "not an approver")):  # fmt: skip
            self.assertIn(why, self._refusal(dispatch.with_user(user).action_approve))
        self.assertEqual(dispatch.approval_state, "pending")
        denied = dispatch.approval_log_ids.filtered(lambda log: log.event == "denied")
        self.assertEqual(denied.user_id, self.requester | self.project_manager | self.other_requester)

    def test_a_warehouse_manager_cannot_sign_off_the_dispatch_of_their_own_request(self):
        other_manager = new_test_user(
            self.env, "mr_wh2", groups="base.group_user,svc_warehouse_kits.group_kits_manager"
        )
        request = self._request([(self.laptop, 2)], user=self.wh_manager)
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        request.with_user(other_manager).action_approve()
        dispatch = request.dispatch_id
        self.assertNotIn(self.wh_manager, dispatch.approval_request_ids.approver_ids)
        with self.assertRaisesRegex(UserError, "requester cannot approve their own document"):
            dispatch.with_user(self.wh_manager).action_approve()
        dispatch.with_user(other_manager).action_approve()
        request.picking_ids.with_user(self.wh_manager).button_validate()
        self.assertEqual(request.picking_ids.state, "done")

    def test_a_rejected_dispatch_keeps_the_transfer_blocked(self):
        request = self._approved_laptops()
        dispatch = request.dispatch_id
        with self.assertRaisesRegex(UserError, "Say why"):
            dispatch.with_user(self.wh_manager).action_reject("  ")
        dispatch.with_user(self.wh_manager).action_reject("Serials do not match the order")
        self.assertEqual(dispatch.approval_state, "rejected")
        self.assertTrue(request.message_ids.filtered(lambda m: "Serials do not match" in (m.body or "")))
        with self.assertRaisesRegex(UserError, "Rejected"):
            request.picking_ids.with_user(self.wh_manager).button_validate()
        dispatch.with_user(self.wh_manager).action_request_approval()
        self.assertEqual(dispatch.approval_state, "pending", "asked again")

    def test_below_the_threshold_no_dispatch_step(self):
        request = self._approved_laptops(quantity=1)  # 1,500
        self.assertFalse(request.dispatch_id)
        request.picking_ids.with_user(self.wh_manager).button_validate()
        self.assertEqual(request.picking_ids.state, "done")

    def test_approving_again_neither_duplicates_the_transfer_nor_the_dispatch(self):
        request = self._approved_laptops()
        moves, dispatch = request.line_ids.move_ids, request.dispatch_id
        request._svc_approval_reset("Back to approval")
        request.action_request_approval()
        request.with_user(self.project_manager).action_approve()
        request.with_user(self.wh_manager).action_approve()
        self.assertEqual(request.line_ids.move_ids, moves, "what is already procured is not procured again")
        self.assertEqual(request.dispatch_id, dispatch)

    def test_cancelling_the_request_cancels_the_pending_dispatch_step(self):
        request = self._approved_laptops()
        request.action_cancel()
        self.assertEqual(request.dispatch_id.approval_request_ids.mapped("state"), ["cancelled"])
