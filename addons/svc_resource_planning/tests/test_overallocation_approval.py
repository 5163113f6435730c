from datetime import date

from odoo.exceptions import UserError

from .common import W10, ResourcePlanningCase


class TestOverallocationApproval(ResourcePlanningCase):
    """Confirming above the threshold goes through the approval engine; under it, directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second_manager = cls.resource_manager.copy({"login": "svc_rp_manager2", "name": "Second RM"})
        cls.policy = cls._policy()

    def test_under_the_threshold_confirms_directly(self):
        # 32 available in week 10 (holiday); 24 h confirmed = 75% <= 85%
        allocation = self._allocate(self.ann, W10, date(2026, 3, 6), 24)
        allocation.action_confirm()
        self.assertEqual(allocation.state, "confirmed")
        self.assertEqual(allocation.approval_state, "not_required")
        self.assertFalse(allocation.is_over_threshold)
        self.assertEqual(allocation.peak_utilization, 0.75)

    def test_over_the_threshold_needs_resource_operations_then_delivery_leadership(self):
        self._allocate(self.ann, W10, date(2026, 3, 13), 20, state="confirmed")
        # week 10: (20 + 8) / 32 = 87.5% > 85%; week 11: 28 / 40 = 70%
        allocation = self._allocate(self.ann, W10, date(2026, 3, 13), 8)
        allocation.action_confirm()
        self.assertEqual(allocation.state, "tentative")
        self.assertEqual(allocation.approval_state, "pending")
        self.assertEqual(allocation.over_threshold_weeks, "2026-W10")
        self.assertEqual(allocation.peak_utilization, 0.875)
        with self.assertRaisesRegex(UserError, "already waiting for approval"):
            allocation.action_confirm()
        # segregation of duties: the one who asked cannot approve
        error = self._refuse(allocation, self.resource_manager)
        self.assertIn("requester cannot approve", str(error))
        allocation.with_user(self.second_manager).action_approve(comment="Ann can take it")
        self.assertEqual(allocation.state, "tentative")
        # one person never approves two steps
        error = self._refuse(allocation, self.second_manager)
        self.assertIn("already approved an earlier step", str(error))
        allocation.with_user(self.delivery_lead).action_approve()
        self.assertEqual((allocation.state, allocation.approval_state), ("confirmed", "approved"))

    def test_rejection_keeps_the_allocation_tentative(self):
        allocation = self._allocate(self.ann, W10, date(2026, 3, 6), 32)
        allocation.action_confirm()
        allocation.with_user(self.second_manager).action_reject("Ann is needed on support")
        self.assertEqual((allocation.state, allocation.approval_state), ("tentative", "rejected"))
        # asking again opens a new round
        allocation.action_confirm()
        self.assertEqual(allocation.approval_state, "pending")

    def test_threshold_is_a_company_setting(self):
        self.company.svc_overallocation_threshold = 100.0
        allocation = self._allocate(self.ann, W10, date(2026, 3, 6), 32)
        allocation.action_confirm()
        self.assertEqual(allocation.state, "confirmed")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.svc_overallocation_threshold, 100.0)

    def test_cancelling_withdraws_a_pending_confirmation(self):
        allocation = self._allocate(self.ann, W10, date(2026, 3, 6), 32)
        allocation.action_confirm()
        allocation.action_cancel()
        self.assertEqual((allocation.state, allocation.approval_state), ("cancelled", "not_required"))

    def test_percent_of_calendar_sets_the_hours(self):
        allocation = self._allocate(self.bob, W10, date(2026, 3, 13), allocation_percent=50)
        self.assertEqual(allocation.hours_per_week, 12.0)  # half of Bob's 24 h week

    def _refuse(self, allocation, user):
        try:
            allocation.with_user(user).action_approve()
        except UserError as error:
            return error
        self.fail(f"{user.login} could approve")
