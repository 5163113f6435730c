from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase


class TestResourceAllocation(SvcOpsCase):
    """Resource managers book people on projects; users only look; bad bookings are refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resource_manager = new_test_user(
            cls.env,
            "svc_resource_manager",
            groups="base.group_user,svc_resource_planning.group_resource_manager",
        )
        cls.resource_user = new_test_user(
            cls.env, "svc_resource_user", groups="base.group_user,svc_resource_planning.group_resource_user"
        )
        cls.env["svc.approval.policy"].search([("model_name", "=", "svc.resource.allocation")]).active = False
        cls.employee = cls.env["hr.employee"].create({"name": "Dana Designer"})
        cls.project = cls.env["project.project"].create({"name": "Clinic Fit-out"})

    def _allocate(self, user=None, **values):
        return (
            self.env["svc.resource.allocation"]
            .with_user(user or self.resource_manager)
            .create(
                dict(
                    {
                        "employee_id": self.employee.id,
                        "project_id": self.project.id,
                        "date_from": date(2026, 3, 4),
                        "date_to": date(2026, 3, 10),
                        "hours_per_week": 40,
                    },
                    **values,
                )
            )
        )

    def test_new_allocation_is_tentative_and_named_after_employee_and_project(self):
        allocation = self._allocate(role="Lead Designer")
        self.assertEqual(allocation.state, "tentative")
        self.assertEqual(allocation.name, "Dana Designer - Clinic Fit-out")
        self.assertEqual(allocation.company_id, self.employee.company_id)
        self.assertEqual(allocation._weekly_hours_by_iso_week(), {(2026, 10): 24.0, (2026, 11): 16.0})

    def test_inverted_dates_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "before it starts"):
            self._allocate(date_from=date(2026, 3, 10), date_to=date(2026, 3, 4))

    def test_non_positive_and_impossible_hours_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "positive number of hours"):
            self._allocate(hours_per_week=0)
        with self.assertRaisesRegex(ValidationError, "positive number of hours"):
            self._allocate(hours_per_week=-8)
        with self.assertRaisesRegex(ValidationError, "more than the 168 hours"):
            self._allocate(hours_per_week=169)

    def test_resource_manager_confirms_then_cancels(self):
        allocation = self._allocate()
        self.assertTrue(allocation.action_confirm())
        self.assertEqual(allocation.state, "confirmed")
        with self.assertRaisesRegex(UserError, "Only tentative allocations can be confirmed"):
            allocation.action_confirm()
        self.assertTrue(allocation.action_cancel())
        self.assertEqual(allocation.state, "cancelled")
        with self.assertRaisesRegex(UserError, "Only tentative allocations can be confirmed"):
            allocation.action_confirm()

    def test_resource_user_reads_but_cannot_book_or_confirm(self):
        allocation = self._allocate()
        self.assertEqual(
            allocation.with_user(self.resource_user).read(["name"])[0]["name"],
            "Dana Designer - Clinic Fit-out",
        )
        with self.assertRaises(AccessError):
            self._allocate(user=self.resource_user)
        with self.assertRaises(AccessError):
            allocation.with_user(self.resource_user).action_confirm()
        self.assertEqual(allocation.state, "tentative")

    def test_plain_internal_user_sees_no_allocation(self):
        allocation = self._allocate()
        with self.assertRaises(AccessError):
            allocation.with_user(self.ops_user).read(["name"])
