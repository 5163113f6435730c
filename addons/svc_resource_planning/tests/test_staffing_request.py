from datetime import date

from odoo.exceptions import AccessError, UserError

from .common import W10, ResourcePlanningCase


class TestStaffingRequest(ResourcePlanningCase):
    """Requests, ranked candidates with their reasons, assignment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cleo = cls._employee("Cleo Coder", cls.full_time)
        cls.dan = cls._employee("Dan Developer", cls.full_time)
        cls._skill(cls.ann, cls.skill_dev, "Expert")
        cls._skill(cls.cleo, cls.skill_dev, "Expert")
        cls._skill(cls.dan, cls.skill_dev, "Beginner")
        cls._skill(cls.bob, cls.skill_dev, "Intermediate")

    def _request(self, user=None, hours=32, **values):
        request = (
            self.env["svc.staffing.request"]
            .with_user(user or self.project_manager)
            .create(
                dict(
                    {
                        "project_id": self.project.id,
                        "line_ids": [
                            (0, 0, {"role": "Odoo Developer", "hours_per_week": hours, "date_from": W10,
                                    "date_to": date(2026, 3, 6),
                                    "skill_ids": [(0, 0, {"skill_type_id": self.skill_type.id,
                                                          "skill_id": self.skill_dev.id,
                                                          "min_level_id": self.level["Intermediate"].id})]}),
                        ],
                    },
                    **values,
                )
            )
        )  # fmt: skip
        return request

    def _ranked(self, request):
        line = request.line_ids
        rows = line._rank_candidates(self.ann | self.bob | self.cleo | self.dan)
        return [(self.env["hr.employee"].browse(row["employee_id"]).name, row) for row in rows]

    def test_project_manager_requests_with_a_sequence_name(self):
        request = self._request()
        self.assertTrue(request.name.startswith("STAFF/"))
        self.assertEqual(request.state, "draft")
        request.action_submit()
        self.assertEqual(request.state, "open")
        with self.assertRaisesRegex(UserError, "Only draft requests"):
            request.action_submit()
        empty = (
            self.env["svc.staffing.request"]
            .with_user(self.project_manager)
            .create({"project_id": self.project.id})
        )
        with self.assertRaisesRegex(UserError, "at least one role"):
            empty.action_submit()

    def test_ranking_skills_first_then_free_hours_then_utilization(self):
        # Cleo: Expert, fully free (32 available in week 10, needs 32 h: 4 days x 8, Thursday a holiday... )
        # Ann: Expert but 16 h confirmed elsewhere; Bob: Intermediate, part-time; Dan: Beginner, free
        self._allocate(self.ann, W10, date(2026, 3, 6), 16, state="confirmed")
        request = self._request()
        request.action_submit()
        ranked = self._ranked(request)
        self.assertEqual(
            [name for name, _row in ranked], ["Cleo Coder", "Bob Parttime", "Ann Architect", "Dan Developer"]
        )
        cleo = ranked[0][1]
        self.assertEqual((cleo["covered_hours"], cleo["needed_hours"]), (32.0, 32.0))
        self.assertEqual(
            cleo["reasons"],
            "has Odoo Development at Expert; 32 of 32 h free; utilization after assignment 100%",
        )
        bob = ranked[1][1]
        self.assertEqual(bob["covered_hours"], 24.0)
        self.assertIn("has Odoo Development at Intermediate; 24 of 32 h free", bob["reasons"])
        dan = ranked[3][1]
        self.assertIn("Odoo Development only at Beginner (Intermediate needed)", dan["reasons"])
        # deterministic: the same ranking twice
        self.assertEqual([name for name, _row in self._ranked(request)], [name for name, _row in ranked])

    def test_pending_leave_is_named_in_the_reasons(self):
        self._leave(self.cleo, date(2026, 3, 2), date(2026, 3, 4))
        request = self._request()
        request.action_submit()
        cleo = dict(self._ranked(request))["Cleo Coder"]
        self.assertIn("3 days of pending leave in week 10", cleo["reasons"])

    def test_resource_manager_finds_candidates_and_assigns_one(self):
        request = self._request(hours=16)
        with self.assertRaisesRegex(UserError, "Submit request"):
            request.line_ids.with_user(self.resource_manager).action_find_candidates()
        request.action_submit()
        request.with_user(self.resource_manager).action_find_candidates()
        candidates = request.line_ids.candidate_ids
        self.assertTrue(candidates)
        self.assertEqual(candidates.sorted("rank")[0].employee_id.sudo().skill_ids, self.skill_dev)
        first = candidates.sorted("rank")[0]
        with self.assertRaises(AccessError):
            first.with_user(self.project_manager).action_assign()
        allocation_id = first.with_user(self.resource_manager).action_assign()
        allocation = self.env["svc.resource.allocation"].browse(allocation_id)
        self.assertEqual(allocation.state, "confirmed")
        self.assertEqual(allocation.staffing_request_id, request)
        self.assertEqual(request.line_ids.allocation_id, allocation)
        self.assertEqual(request.state, "staffed")
        with self.assertRaisesRegex(UserError, "already given"):
            candidates.sorted("rank")[1].with_user(self.resource_manager).action_assign()
        # cancelling the allocation reopens the role
        allocation.with_user(self.resource_manager).action_cancel()
        self.assertEqual(request.state, "open")

    def test_assignment_over_the_threshold_goes_to_approval(self):
        self._policy()
        self._allocate(self.cleo, W10, date(2026, 3, 6), 20, state="confirmed")
        request = self._request(hours=16)
        request.action_submit()
        request.with_user(self.resource_manager).action_find_candidates()
        candidate = request.line_ids.candidate_ids.filtered(lambda cand: cand.employee_id == self.cleo)
        allocation = self.env["svc.resource.allocation"].browse(
            candidate.with_user(self.resource_manager).action_assign()
        )
        self.assertEqual((allocation.state, allocation.approval_state), ("tentative", "pending"))
        self.assertEqual(request.state, "proposed")

    def test_project_manager_cannot_find_candidates(self):
        request = self._request()
        request.action_submit()
        with self.assertRaises(AccessError):
            request.line_ids.with_user(self.project_manager).action_find_candidates()
