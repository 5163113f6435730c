from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common import MaterialRequestCase


class TestMaterialRequest(MaterialRequestCase):
    """Submit, approve by policy, fulfil with Odoo's own procurement and reservation."""

    def test_submit_refuses_an_incomplete_request_and_says_what_is_missing(self):
        request = (
            self.env["svc.material.request"]
            .with_user(self.requester)
            .create({"needed_date": fields.Date.today() - timedelta(days=1)})
        )
        with self.assertRaisesRegex(
            UserError, "choose the project.*needed date from today.*at least one line"
        ):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        with self.assertRaisesRegex(Exception, "must be positive"):
            self._request([(self.dock, -1)])

    def test_another_requester_cannot_submit_my_request(self):
        request = self._request([(self.dock, 1)])
        with self.assertRaises(AccessError):
            request.with_user(self.other_requester).action_submit()
        self.assertEqual(request.state, "draft")

    def test_small_request_on_an_active_project_proceeds_and_reserves(self):
        request = self._request([(self.dock, 1), (self.cable, 5)])
        request.action_submit()
        self.assertEqual(request.approval_state, "approved")
        self.assertEqual(request.state, "in_progress")
        picking = request.picking_ids
        self.assertEqual(picking.picking_type_id, self.warehouse.int_type_id, "an internal transfer")
        self.assertEqual(picking.location_dest_id.svc_project_id, self.project, "to the project's location")
        self.assertEqual(request.line_ids.mapped("qty_reserved"), [1.0, 5.0])
        self.assertEqual(request.availability, "full")

    def test_a_batch_approved_together_gets_one_transfer_per_request(self):
        site = self.env["res.partner"].create({"name": "Client site C"})
        requests = (
            self._request([(self.dock, 1), (self.cable, 2)])
            | self._request([(self.cable, 3)])
            | self._request([(self.dock, 1)], destination_type="site", delivery_partner_id=site.id)
        )
        requests.action_submit()
        for request in requests:
            picking = request.picking_ids
            self.assertEqual(len(picking), 1, "one transfer per request, created with the batch")
            self.assertEqual((picking.origin, picking.group_id), (request.name, request.procurement_group_id))
            self.assertEqual(picking.move_ids, request.line_ids.move_ids)
            self.assertEqual((picking.state, request.availability), ("assigned", "full"))
        self.assertEqual(requests[2].picking_ids.partner_id, site)

    def test_site_delivery_goes_through_the_warehouse_delivery_route(self):
        site = self.env["res.partner"].create({"name": "Client site B"})
        request = self._request([(self.dock, 1)], destination_type="site", delivery_partner_id=site.id)
        request.action_submit()
        picking = request.picking_ids
        self.assertEqual(picking.picking_type_id, self.warehouse.out_type_id, "a delivery")
        self.assertEqual((picking.partner_id, picking.location_dest_id.usage), (site, "customer"))
        self.assertEqual(request.availability, "full")

    def test_above_the_threshold_the_project_manager_approves(self):
        request = self._request([(self.dock, 12)])
        request.action_submit()
        self.assertEqual((request.state, request.approval_state), ("to_approve", "pending"))
        self.assertFalse(request.picking_ids)
        self.assertIn(request, self.env["svc.material.request"].with_user(self.project_manager).search(
            [("can_approve", "=", True)]))  # fmt: skip
        with self.assertRaises(UserError):
            request.with_user(self.requester).action_approve()
        request.with_user(self.project_manager).action_approve()
        self.assertEqual(request.state, "in_progress")
        self.assertTrue(request.picking_ids)

    def test_serialized_assets_need_the_project_and_the_warehouse_manager(self):
        request = self._request([(self.laptop, 2)])
        request.action_submit()
        self.assertEqual(request.approval_policy_id, self.policy_serialized)
        request.with_user(self.project_manager).action_approve()
        self.assertEqual(request.state, "to_approve", "the warehouse manager still has to approve")
        request.with_user(self.wh_manager).action_approve()
        self.assertEqual(request.state, "in_progress")
        self.assertEqual(request.line_ids.qty_reserved, 2.0)

    def test_shortage_replenishes_raises_an_exception_and_shows_partial(self):
        request = self._request([(self.dock, 3), (self.cable, 1)], days=3, priority="2")
        request.with_user(self.requester).action_submit()  # 310: under the threshold
        self.assertEqual(request.availability, "partial")
        self.assertEqual(request.line_ids[0].qty_reserved, 2.0)
        exception = self.env["svc.exception"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertEqual((exception.category, exception.severity), ("shortage", "high"))
        self.assertIn(exception.owner_id, self.env.ref("svc_warehouse_kits.group_kits_manager").users)
        self.assertIn("MR dock: 1", exception.message)

    def test_kits_add_lines_and_merge_quantities(self):
        kit = self.env["svc.kit"].create(
            {"name": "K", "code": "MR-K", "line_ids": [(0, 0, {"product_id": self.dock.id, "quantity": 1}),
                                                       (0, 0, {"product_id": self.cable.id, "quantity": 4})]}
        )  # fmt: skip
        request = self._request([(self.dock, 1)])
        request.action_add_kit(kit.id, multiplier=2)
        self.assertEqual([(line.product_id, line.quantity) for line in request.line_ids],
                         [(self.dock, 3.0), (self.cable, 8.0)])  # fmt: skip
        request.action_submit()
        with self.assertRaisesRegex(UserError, "draft request"):
            request.action_add_kit(kit.id)

    def test_cancel_releases_the_transfer(self):
        request = self._request([(self.dock, 1)])
        request.action_submit()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(request.picking_ids.state, "cancel")

    def test_repeated_urgent_requests_are_flagged_not_blocked(self):
        for _i in range(3):
            request = self._request([(self.cable, 1)], urgent=True)
            request.action_submit()
        self.assertIn("3 urgent requests", request.anomaly)
        self.assertEqual(request.state, "in_progress", "advisory only")
        exception = self.env["svc.exception"].search([("res_model", "=", request._name), ("res_id", "=", request.id),
                                                      ("category", "=", "anomaly")])  # fmt: skip
        self.assertTrue(exception)

    def test_urgent_request_released_on_the_emergency_path(self):
        emergency = self.env.ref("svc_approval_matrix.group_approval_emergency")
        self.wh_manager.groups_id += emergency
        request = self._request([(self.dock, 12)], urgent=True)
        request.action_submit()
        request.with_user(self.wh_manager).action_emergency_release("Client site down")
        self.assertEqual((request.approval_state, request.state), ("emergency", "in_progress"))
        review = request.approval_request_ids.filtered(lambda r: r.kind == "review")
        self.assertEqual(review.state, "pending")
