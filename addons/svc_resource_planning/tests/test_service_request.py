import xmlrpc.client
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .billing_common import MONDAY, BillingCase


class ServiceRequestCase(BillingCase):
    """Policies as in the demo (sales management for rates, finance for write-offs, the
    project's manager otherwise), a delivery lead who asks, a project and a priced service."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        model = cls.env["ir.model"]._get("svc.service.request")
        cls.env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        cls.env["svc.approval.policy"].create([
            {"name": "Rate override", "model_id": model.id, "sequence": 1,
             "domain": "[('effect', '=', 'rate_override')]",
             "step_ids": [(0, 0, {"name": "Sales management", "approver_type": "group",
                                  "group_id": cls.env.ref("sales_team.group_sale_manager").id})]},
            {"name": "Write-off", "model_id": model.id, "sequence": 2, "domain": "[('effect', '=', 'write_off')]",
             "step_ids": [(0, 0, {"name": "Finance", "approver_type": "group",
                                  "group_id": cls.env.ref("account.group_account_manager").id})]},
            {"name": "Service request", "model_id": model.id, "sequence": 3,
             "step_ids": [(0, 0, {"name": "Project manager", "approver_type": "record_field",
                                  "field_name": "manager_id"})]},
        ])  # fmt: skip
        cls.lead = new_test_user(
            cls.env, "svc_sr_lead", groups="base.group_user,project.group_project_user", tz="UTC"
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Clinic ERP", "user_id": cls.project_manager.id, "allow_timesheets": True}
        )
        cls.types = {kind.effect: kind for kind in cls.env["svc.service.request.type"].search([])}
        cls.consulting = cls.env["product.product"].create(
            {"name": "Consulting Day", "type": "service", "list_price": 100.0, "invoice_policy": "order"}
        )

    def _request(self, effect, user, **values):
        return (
            self.env["svc.service.request"]
            .with_user(user)
            .create(dict({"type_id": self.types[effect].id, "justification": "Client go-live"}, **values))
        )

    def _order(self, price):
        return (
            self.env["sale.order"]
            .with_user(self.account_manager)
            .create(
                {"partner_id": self.customer.id, "user_id": self.account_manager.id,
                 "order_line": [(0, 0, {"product_id": self.consulting.id, "product_uom_qty": 5, "price_unit": price})]}
            )
        )  # fmt: skip


class TestServiceRequest(ServiceRequestCase):
    """Service requests by type, as the real users: each type submitted, decided by its
    approvers (never by the requester) and, approved, applied; the refusal paths say what to do."""

    # ------------------------------------------------------------------ overtime
    def test_overtime_approved_by_the_project_manager_is_recorded_for_the_week(self):
        request = self._request(
            "overtime", self.lead, employee_id=self.employee.id, project_id=self.project.id,
            week_start=MONDAY.replace(day=MONDAY.day + 2), hours=6.0,
        )  # fmt: skip
        self.assertEqual(request.week_start, MONDAY, "any day of the week: the Monday is kept")
        self.assertEqual(request.manager_id, self.project_manager)
        request.action_submit()
        self.assertEqual((request.state, request.approval_state), ("pending", "pending"))
        Requests = self.env["svc.service.request"]
        self.assertEqual(Requests.approved_overtime_hours(self.employee.ids, MONDAY), [])
        self.assertFalse(request.with_user(self.lead).can_approve)
        with self.refused(UserError, "requester cannot approve their own"):
            request.with_user(self.lead).action_approve()
        self.assertTrue(request.with_user(self.project_manager).can_approve)
        request.with_user(self.project_manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(
            Requests.approved_overtime_hours(self.employee.ids, MONDAY),
            [{"employee_id": self.employee.id, "week_start": str(MONDAY), "hours": 6.0}],
        )
        self.assertIn("Overtime approved", self.project.message_ids[0].body)

    def test_compliance_counts_approved_and_unapproved_overtime(self):
        task = self.env["project.task"].create({"name": "Go-live", "project_id": self.project.id})
        for offset, hours in enumerate((10, 10, 10, 10, 6)):  # 46 h in a 40-hour week
            self._log(task, hours, day=MONDAY + timedelta(days=offset))
        request = self._request(
            "overtime", self.lead, employee_id=self.employee.id, project_id=self.project.id,
            week_start=MONDAY, hours=4.0,
        )  # fmt: skip
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        Compliance = self.env["svc.timesheet.compliance"].with_user(self.project_manager)
        Compliance.action_compute(str(MONDAY), str(MONDAY), employee_ids=self.employee.ids, notify=False)
        row = Compliance.search([("employee_id", "=", self.employee.id), ("week_start", "=", MONDAY)])
        self.assertEqual(
            (
                row.expected_hours,
                row.logged_hours,
                row.overtime_approved_hours,
                row.overtime_unapproved_hours,
            ),
            (40.0, 46.0, 4.0, 2.0),
        )

    def test_a_request_missing_its_fields_is_not_submitted(self):
        request = self._request(
            "overtime", self.lead, employee_id=self.employee.id, project_id=self.project.id
        )
        with self.refused(UserError, "needs: Week, Extra Hours"):
            request.action_submit()
        self.assertEqual(request.state, "draft")

    # ------------------------------------------------------------------ rate override
    def test_order_under_the_list_price_needs_an_approved_override(self):
        order = self._order(80.0)
        line = order.order_line
        with self.refused(
            UserError, r"cannot be confirmed: .*Consulting Day.* under its rate card price .*Rate Override"
        ):
            order.with_user(self.account_manager).action_confirm()
        request = self._request("rate_override", self.account_manager, sale_line_id=line.id, price_unit=80.0)
        self.assertEqual(request.list_price, 100.0)
        request.action_submit()
        with self.refused(UserError, "requester cannot approve"):
            request.with_user(self.account_manager).action_approve()
        with self.refused(UserError, "not an approver"):
            request.with_user(self.project_manager).action_approve()
        request.with_user(self.sales_manager).action_approve()
        self.assertEqual((line.price_unit, line.svc_rate_override_id), (80.0, request))
        order.with_user(self.account_manager).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_override_not_under_the_list_price_is_refused_and_a_rejected_one_changes_nothing(self):
        order = self._order(90.0)
        line = order.order_line
        same = self._request("rate_override", self.account_manager, sale_line_id=line.id, price_unit=100.0)
        with self.refused(UserError, "not under the rate card price"):
            same.action_submit()
        request = self._request("rate_override", self.account_manager, sale_line_id=line.id, price_unit=70.0)
        request.action_submit()
        request.with_user(self.sales_manager).action_reject("Too deep a discount")
        self.assertEqual((request.state, line.price_unit), ("rejected", 90.0))
        with self.refused(UserError, "without an approved rate override"):
            order.with_user(self.account_manager).action_confirm()
        # list price or above: no override needed
        line.with_user(self.account_manager).price_unit = 100.0
        order.with_user(self.account_manager).action_confirm()

    # ------------------------------------------------------------------ budget increase
    def test_budget_increase_raises_the_project_budget_and_logs_it(self):
        request = self._request("budget_increase", self.lead, project_id=self.project.id, amount=5000.0)
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        self.assertEqual((request.state, self.project.svc_budget), ("approved", 5000.0))
        self.assertIn("Budget raised from 0.0 to 5000.0", self.project.message_ids[0].body)
        # rejected: the budget stays
        second = self._request("budget_increase", self.lead, project_id=self.project.id, amount=1000.0)
        second.action_submit()
        second.with_user(self.project_manager).action_reject("Not this quarter")
        self.assertEqual((second.state, self.project.svc_budget), ("rejected", 5000.0))
        with self.refused(UserError, "Only draft service requests can be changed"):
            second.with_user(self.lead).write({"amount": 2000.0})

    def test_the_effect_runs_once(self):
        """Two approvals landing together end in one outcome call each: the second changes nothing."""
        request = self._request("budget_increase", self.lead, project_id=self.project.id, amount=300.0)
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        request.sudo()._svc_on_approved()
        self.assertEqual(self.project.svc_budget, 300.0)

    def test_nobody_approves_their_own_budget_request(self):
        """The project manager asking for their own project: the only approver is the
        requester, so the engine refuses to open the approval (nobody else is eligible)."""
        request = self._request(
            "budget_increase", self.project_manager, project_id=self.project.id, amount=100.0
        )
        with self.refused(UserError, "only 0 eligible user.* once the requester .* excluded"):
            request.action_submit()
        self.assertEqual((request.state, self.project.svc_budget), ("draft", 0.0))

    # ------------------------------------------------------------------ write-off
    def test_write_off_makes_the_timesheets_not_billable(self):
        order = self._retainer_order(hours=10.0)
        task = order.order_line.task_id
        kept, written = self._log(task, 3), self._log(task, 2)
        self.assertEqual((kept | written).mapped("so_line"), order.order_line)
        request = self._request(
            "write_off", self.project_manager, order_id=order.id, timesheet_ids=[(6, 0, written.ids)]
        )
        request.action_submit()
        with self.refused(UserError, "not an approver"):
            request.with_user(self.sales_manager).action_approve()
        request.with_user(self.finance).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(written.so_line)
        self.assertEqual(written.svc_write_off_request_id, request)
        self.assertEqual(kept.so_line, order.order_line)
        self.assertEqual(order.order_line.svc_consumed_hours, 3.0)

    def test_write_off_of_another_orders_time_is_refused(self):
        order, other = self._retainer_order(hours=10.0), self._retainer_order(hours=10.0)
        line = self._log(other.order_line.task_id, 2)
        request = self._request(
            "write_off", self.project_manager, order_id=order.id, timesheet_ids=[(6, 0, line.ids)]
        )
        with self.refused(UserError, "Only unbilled timesheets of"):
            request.action_submit()

    # ------------------------------------------------------------------ events
    def test_outbox_events_carry_the_type(self):
        self.env["svc.webhook.endpoint"].create({
            "name": "ERP", "url": "https://93.184.215.14/hook", "responsible_user_id": self.env.uid,
            "event_type_ids": [(6, 0, (self.env.ref("svc_resource_planning.event_type_service_request_approved")
                                       | self.env.ref("svc_resource_planning.event_type_service_request_rejected")).ids)],
        })  # fmt: skip
        approved = self._request("budget_increase", self.lead, project_id=self.project.id, amount=10.0)
        rejected = self._request("budget_increase", self.lead, project_id=self.project.id, amount=20.0)
        (approved | rejected).action_submit()
        approved.with_user(self.project_manager).action_approve()
        rejected.with_user(self.project_manager).action_reject("No")
        events = self.env["svc.outbox.event"].search([("event_type", "like", "service_request.")])
        self.assertEqual(
            sorted(events.mapped("event_type")), ["service_request.approved", "service_request.rejected"]
        )


@tagged("post_install", "-at_install")
class TestServiceRequestOverXmlRpc(HttpCase, ServiceRequestCase):
    """An RPC client asks, is refused where it must be, and the approver decides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.lead, cls.project_manager, cls.account_manager, cls.sales_manager):
            user.password = user.login

    def setUp(self):
        super().setUp()
        self.models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object", allow_none=True)

    def _call(self, user, model, method, *args, **kwargs):
        self.env.flush_all()
        result = self.models.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )
        self.env.invalidate_all()
        return result

    @mute_logger("odoo.http")
    def test_overtime_and_rate_override_over_rpc(self):
        request_id = self._call(
            self.lead, "svc.service.request", "create",
            {"type_id": self.types["overtime"].id, "employee_id": self.employee.id, "project_id": self.project.id,
             "week_start": str(MONDAY), "hours": 4, "justification": "Go-live"},
        )  # fmt: skip
        self._call(self.lead, "svc.service.request", "action_submit", [request_id])
        with self.assertRaisesRegex(xmlrpc.client.Fault, "requester cannot approve"):
            self._call(self.lead, "svc.service.request", "action_approve", [request_id])
        self._call(self.project_manager, "svc.service.request", "action_approve", [request_id])
        self.assertEqual(
            self._call(
                self.lead, "svc.service.request", "approved_overtime_hours", [self.employee.id], str(MONDAY)
            ),
            [{"employee_id": self.employee.id, "week_start": str(MONDAY), "hours": 4.0}],
        )

        order = self._order(75.0)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "under its rate card price"):
            self._call(self.account_manager, "sale.order", "action_confirm", [order.id])
        override_id = self._call(
            self.account_manager, "svc.service.request", "create",
            {"type_id": self.types["rate_override"].id, "sale_line_id": order.order_line.id, "price_unit": 75.0,
             "justification": "Framework agreement"},
        )  # fmt: skip
        self._call(self.account_manager, "svc.service.request", "action_submit", [override_id])
        self._call(self.sales_manager, "svc.service.request", "action_approve", [override_id])
        self._call(self.account_manager, "sale.order", "action_confirm", [order.id])
        self.assertEqual((order.state, order.order_line.price_unit), ("sale", 75.0))
