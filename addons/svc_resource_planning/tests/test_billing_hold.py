from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .test_billing_readiness import ReadinessCase


class TestBillingHold(ReadinessCase):
    """Hold Billing on the project opens a Billing exception there, which blocks the
    readiness of its orders (check "No blocking exception") until it is resolved."""

    def _hold(self, user, reason="Client disputes the March hours"):
        action = self.project.with_user(user).action_svc_hold_billing()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"reason": reason, "details": "Wait for the call with their CFO."})
        )
        wizard.action_hold()
        return self.env["svc.exception"].search(
            [("res_model", "=", "project.project"), ("res_id", "=", self.project.id), ("name", "=", reason)]
        )

    def test_hold_blocks_and_resolving_makes_it_ready_again(self):
        self.readiness.action_check()
        self.assertEqual(self.readiness.readiness_state, "ready")
        exception = self._hold(self.project_manager)
        self.assertEqual(
            (exception.category, exception.severity, exception.owner_id, exception.state),
            ("billing", "high", self.project_manager, "open"),
        )
        self.assertEqual(self.readiness.readiness_state, "blocked", "re-checked as the hold opens")
        unmet = {check.code: check.reason for check in self.readiness.check_ids if check.state == "unmet"}
        self.assertEqual(unmet, {"exceptions": "open: Client disputes the March hours"})
        self.assertEqual(self.project.with_user(self.project_manager).svc_open_exception_count, 1)
        action = self.project.with_user(self.project_manager).action_svc_view_exceptions()
        self.assertEqual(
            self.env["svc.exception"].with_user(self.project_manager).search(action["domain"]), exception
        )
        exception.with_user(self.project_manager).action_resolve("The CFO agreed the hours.")
        self.assertEqual(self.readiness.readiness_state, "ready", "ready again once resolved")
        self.project.invalidate_recordset(["svc_open_exception_count"])
        self.assertEqual(self.project.svc_open_exception_count, 0)
        exception.with_user(self.project_manager).action_reopen()
        self.assertEqual(self.readiness.readiness_state, "blocked", "reopened: blocked again")

    def test_two_holds_block_until_both_are_resolved(self):
        first = self._hold(self.project_manager)
        second = self._hold(self.finance, reason="PO number missing")
        self.project.invalidate_recordset(["svc_open_exception_count"])
        self.assertEqual(self.project.svc_open_exception_count, 2)
        first.with_user(self.project_manager).action_resolve()
        self.assertEqual(self.readiness.readiness_state, "blocked")
        self.assertIn("PO number missing", self.readiness.unmet_summary)
        second.with_user(self.finance).action_resolve()
        self.assertEqual(self.readiness.readiness_state, "ready")

    def test_who_may_hold(self):
        for user in (self.account_manager, self.consultant):
            with self.subTest(user=user.login), self.refused(AccessError, "may hold the billing"):
                self.project.with_user(user).action_svc_hold_billing()
        project_user = new_test_user(
            self.env, "svc_project_user", groups="base.group_user,project.group_project_user"
        )
        with self.refused(AccessError, "may hold the billing"):
            self.project.with_user(project_user).action_svc_hold_billing()
        self.project.user_id = project_user  # the project's own manager may
        self.assertTrue(self._hold(project_user))
        with self.refused(UserError, "Say why billing is on hold"):
            self.project.with_user(self.finance)._svc_hold_billing("  ")
