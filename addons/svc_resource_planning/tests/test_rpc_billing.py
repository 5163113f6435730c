import xmlrpc.client
from datetime import timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .billing_common import MONDAY
from .test_billing_readiness import ReadinessCase


@tagged("post_install", "-at_install")
class TestBillingOverXmlRpc(HttpCase, ReadinessCase):
    """Validation, compliance, retainer notice, readiness and release as an RPC client calls them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.project_manager, cls.account_manager, cls.finance):
            user.password = user.login  # the RPC client authenticates with a password

    def setUp(self):
        super().setUp()
        self.models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object", allow_none=True)
        self.db = self.env.cr.dbname

    def _call(self, user, model, method, *args, **kwargs):
        self.env.flush_all()
        result = self.models.execute_kw(self.db, user.id, user.login, model, method, list(args), kwargs)
        self.env.invalidate_all()  # the server wrote through the same test cursor
        return result

    def test_the_whole_flow_over_rpc(self):
        line = self._log(self.task, 3, day=MONDAY + timedelta(days=1), user=self.project_manager)
        self.env.flush_all()
        count = self._call(
            self.project_manager,
            "account.analytic.line",
            "action_svc_validate_week",
            [self.employee.id],
            str(MONDAY),
        )
        self.assertEqual(count, 1)
        self.assertTrue(line.svc_validated)
        computed = self._call(
            self.project_manager, "svc.timesheet.compliance", "action_compute", str(MONDAY), str(MONDAY),
            employee_ids=[self.employee.id], notify=False,
        )  # fmt: skip
        self.assertEqual(computed, 1)
        self.assertEqual(
            self._call(self.account_manager, "svc.billing.readiness", "action_check", [self.readiness.id]),
            True,
        )
        unmet = self._call(
            self.finance,
            "svc.billing.readiness",
            "read",
            [self.readiness.id],
            ["unmet_summary", "readiness_state"],
        )
        self.assertEqual(
            unmet[0]["readiness_state"], "blocked", "11 of 40 expected hours logged: below compliance"
        )
        self.assertIn("below timesheet compliance", unmet[0]["unmet_summary"])
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self._call(self.finance, "svc.billing.readiness", "action_release", [self.readiness.id])
        self.assertIn("is not ready to bill", refused.exception.faultString)
        self.env["ir.config_parameter"].set_param(
            "svc_resource_planning.timesheet_compliance_threshold", "20"
        )
        self._call(self.project_manager, "svc.timesheet.compliance", "action_compute", str(MONDAY), str(MONDAY),
                   employee_ids=[self.employee.id], notify=False)  # fmt: skip
        self.assertIs(
            self._call(self.finance, "svc.billing.readiness", "action_release", [self.readiness.id]), True
        )
        self.assertEqual(self.readiness.invoice_id.state, "draft")

    def test_duplicate_period_and_hold_over_rpc(self):
        with self.assertRaises(xmlrpc.client.Fault) as refused, mute_logger("odoo.sql_db", "odoo.http"):
            self._call(self.account_manager, "svc.billing.readiness", "create", {
                "sale_order_id": self.order.id, "period_start": str(MONDAY),
                "period_end": str(MONDAY + timedelta(days=6)),
            })  # fmt: skip
        self.assertIn("already has a billing readiness for this period", refused.exception.faultString)
        self.readiness.action_check()
        self.assertEqual(self.readiness.readiness_state, "ready")
        action = self._call(
            self.project_manager, "project.project", "action_svc_hold_billing", [self.project.id]
        )
        wizard_id = self._call(self.project_manager, action["res_model"], "create",
                               {"project_id": self.project.id, "reason": "Client disputes the hours"})  # fmt: skip
        self._call(self.project_manager, action["res_model"], "action_hold", [wizard_id])
        self.assertEqual(self.readiness.readiness_state, "blocked")
        [project] = self._call(self.project_manager, "project.project", "read", [self.project.id],
                               ["svc_open_exception_count"])  # fmt: skip
        self.assertEqual(project["svc_open_exception_count"], 1)
