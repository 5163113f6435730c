from .common import MaterialRequestCase


class TestMaterialRequestRoutePreview(MaterialRequestCase):
    """The route preview of a material request under each policy of the demo's shape (and under
    none) is the route its submission then creates."""

    def _assert_preview_is_the_route(self, request, policy):
        policies = self.env["svc.approval.policy"].with_user(self.requester)
        [route] = policies.preview(request._name, request.ids)
        self.assertEqual(route["policy"] and route["policy"]["id"], policy.id or False)
        request.action_submit()
        self.assertEqual(request.approval_policy_id, policy)
        steps = request.approval_request_ids.sorted("sequence")
        self.assertEqual([step["name"] for step in route["steps"]], steps.mapped("name"))
        if steps:
            self.assertEqual(
                sorted(a["id"] for a in route["steps"][0]["approvers"]), sorted(steps[0].approver_ids.ids)
            )
        return route

    def test_serialized_assets_above_3000(self):
        route = self._assert_preview_is_the_route(self._request([(self.laptop, 2)]), self.policy_serialized)
        self.assertEqual([a["id"] for a in route["steps"][0]["approvers"]], self.project_manager.ids)
        self.assertIn(self.wh_manager.id, [a["id"] for a in route["steps"][1]["approvers"]])

    def test_above_1000(self):
        route = self._assert_preview_is_the_route(self._request([(self.dock, 12)]), self.policy_pm)
        reasons = {other["id"]: other["reason_code"] for other in route["not_matched"]}
        self.assertEqual(reasons[self.policy_serialized.id], "domain")
        self.assertEqual(reasons[self.policy_small.id], "above")

    def test_small_on_an_active_project_approves_at_once(self):
        route = self._assert_preview_is_the_route(self._request([(self.dock, 1)]), self.policy_small)
        self.assertEqual(route["steps"], [])
        self.assertEqual(self._request([(self.dock, 1)]).approval_state, "not_required")

    def test_no_policy_matches(self):
        self.policy_small.active = False
        route = self._assert_preview_is_the_route(
            self._request([(self.dock, 1)]), self.env["svc.approval.policy"]
        )
        reasons = {other["id"]: other["reason_code"] for other in route["not_matched"]}
        self.assertEqual(reasons, {self.policy_serialized.id: "domain", self.policy_pm.id: "below"})
