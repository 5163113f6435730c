from datetime import timedelta

from odoo.exceptions import AccessError, UserError

from .billing_common import MONDAY, BillingCase


class TestTimesheetValidation(BillingCase):
    """A manager validates a week; the employee can no longer change it; reopening is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Internal Tools", "allow_timesheets": True})
        cls.task = cls.env["project.task"].create({"name": "Build", "project_id": cls.project.id})

    def test_manager_validates_week_and_employee_is_locked_out(self):
        line = self._log(self.task, 4)
        other_week = self._log(self.task, 2, day=MONDAY + timedelta(days=7))
        lines = self.env["account.analytic.line"].with_user(self.project_manager)
        self.assertEqual(
            lines.action_svc_validate_week([self.employee.id], str(MONDAY + timedelta(days=3))), 1
        )
        self.assertTrue(line.svc_validated)
        self.assertEqual(line.svc_validated_by_id, self.project_manager)
        self.assertTrue(line.svc_validated_on)
        self.assertFalse(other_week.svc_validated, "only the chosen ISO week is validated")
        self.assertTrue(line.with_user(self.consultant).readonly_timesheet)

        with self.refused(UserError, "validated by .* and is locked. Ask your manager to reopen"):
            line.with_user(self.consultant).write({"unit_amount": 8})
        with self.refused(UserError, "is locked"):
            line.with_user(self.consultant).unlink()
        with self.refused(UserError, "is validated: no more time can be logged"):
            self._log(self.task, 1, day=MONDAY + timedelta(days=1))
        other_week.with_user(self.consultant).write({"unit_amount": 3})  # an open week stays editable
        with self.refused(UserError, "is validated: no more time can be logged"):
            other_week.with_user(self.consultant).write({"date": MONDAY + timedelta(days=2)})
        with self.refused(UserError, "Validate or reopen timesheets with the Validate Week"):
            other_week.with_user(self.consultant).with_context(svc_timesheet_validation=True).write(
                {"svc_validated": True}
            )
        with self.refused(UserError, "New timesheets start unvalidated"):
            self.env["account.analytic.line"].with_user(self.consultant).create(
                {"name": "pre-validated", "project_id": self.task.project_id.id, "task_id": self.task.id,
                 "unit_amount": 1, "date": MONDAY + timedelta(days=7), "employee_id": self.employee.id,
                 "svc_validated": True}
            )  # fmt: skip
        self.assertEqual(
            lines.action_svc_validate_week([self.employee.id], MONDAY), 0, "validating twice: nothing new"
        )

    def test_only_managers_validate_and_never_their_own_week(self):
        self._log(self.task, 4)
        with self.refused(AccessError, "Only timesheet approvers"):
            self.env["account.analytic.line"].with_user(self.consultant).action_svc_validate_week(
                [self.employee.id], MONDAY
            )
        own = self._log(self.task, 2, user=self.project_manager, employee=self.manager_employee)
        with self.refused(UserError, "cannot validate your own timesheets"):
            own.with_user(self.project_manager).action_svc_validate()
        with self.refused(UserError, "Validate Week / Reopen Week"):
            own.with_user(self.project_manager).write({"svc_validated": True})

    def test_bad_input_is_refused_clearly(self):
        lines = self.env["account.analytic.line"].with_user(self.project_manager)
        with self.refused(UserError, "is not a date"):
            lines.action_svc_validate_week([self.employee.id], "next tuesday")
        with self.refused(UserError, "at least one employee"):
            lines.action_svc_validate_week([], MONDAY)

    def test_reopen_is_logged_and_unlocks(self):
        line = self._log(self.task, 4)
        lines = self.env["account.analytic.line"].with_user(self.project_manager)
        lines.action_svc_validate_week([self.employee.id], MONDAY)
        with self.refused(UserError, "Say why"):
            lines.action_svc_reopen_week([self.employee.id], MONDAY, " ")
        self.assertEqual(lines.action_svc_reopen_week([self.employee.id], MONDAY, "Client code was wrong"), 1)
        self.assertFalse(line.svc_validated)
        self.assertIn("Client code was wrong", self.employee.message_ids[:1].body)
        line.with_user(self.consultant).write({"unit_amount": 5})
        self.assertEqual(line.unit_amount, 5)
        with self.refused(UserError, "Nothing to reopen"):
            lines.action_svc_reopen_week([self.employee.id], MONDAY, "again")

    def test_wizard_validates_the_week(self):
        line = self._log(self.task, 4)
        wizard = (
            self.env["svc.timesheet.validate.wizard"]
            .with_user(self.project_manager)
            .create({"employee_ids": [(6, 0, self.employee.ids)], "week_date": MONDAY})
        )
        action = wizard.action_validate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertTrue(line.svc_validated)
