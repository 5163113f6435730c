import base64
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .billing_common import MONDAY, BillingCase


class ReadinessCase(BillingCase):
    """An order whose five checks all pass: a reached milestone, validated time, a posted
    expense to reinvoice, a recorded client sign-off and no blocking exception."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance_2 = new_test_user(
            cls.env, "svc_finance_2",
            groups="base.group_user,account.group_account_manager,sales_team.group_sale_salesman_all_leads,"
            "svc_approval_matrix.group_approval_emergency",
        )  # fmt: skip
        cls.order = cls._retainer_order(hours=40.0)
        cls.project = cls.order.project_ids[:1] or cls.order.order_line.project_id
        cls.task = cls.order.order_line.task_id
        cls.milestone = cls.env["project.milestone"].create(
            {
                "name": "Design approved",
                "project_id": cls.project.id,
                "deadline": MONDAY + timedelta(days=3),
                "is_reached": True,
            }
        )
        line = cls.env["account.analytic.line"].with_user(cls.consultant).create({
            "name": "design", "project_id": cls.project.id, "task_id": cls.task.id, "unit_amount": 8,
            "date": MONDAY, "employee_id": cls.employee.id,
        })  # fmt: skip
        line.with_user(cls.project_manager).action_svc_validate()
        cls.expense_product = cls.env["product.product"].create(
            {
                "name": "Travel (reinvoiced)",
                "can_be_expensed": True,
                "expense_policy": "cost",
                "standard_price": 50,
            }
        )
        cls.posted_expense = cls._expense(post=True)
        cls.readiness = cls.env["svc.billing.readiness"].with_user(cls.account_manager).create({
            "sale_order_id": cls.order.id, "period_start": MONDAY, "period_end": MONDAY + timedelta(days=6),
            "planned_invoice_date": MONDAY + timedelta(days=7),
        })  # fmt: skip
        cls._sign_off(cls.readiness, cls.account_manager)

    @classmethod
    def _expense(cls, post=False, name="Flight to client"):
        expense = cls.env["hr.expense"].create({
            "name": name, "employee_id": cls.employee.id, "product_id": cls.expense_product.id,
            "total_amount_currency": 50.0, "date": MONDAY, "sale_order_id": cls.order.id,
        })  # fmt: skip
        if post:
            sheet = cls.env["hr.expense.sheet"].create(
                {"name": name, "employee_id": cls.employee.id, "expense_line_ids": [(6, 0, expense.ids)]}
            )
            sheet.action_submit_sheet()
            sheet.action_approve_expense_sheets()
            sheet.action_sheet_move_create()
        return expense

    @classmethod
    def _sign_off(cls, readiness, user):
        attachment = cls.env["ir.attachment"].create(
            {"name": "acceptance.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed"), "res_model": readiness._name,
             "res_id": readiness.id}
        )  # fmt: skip
        readiness.with_user(user).write({
            "signoff_partner_id": cls.customer.id, "signoff_date": MONDAY + timedelta(days=5),
            "signoff_attachment_ids": [(6, 0, attachment.ids)],
        })  # fmt: skip
        readiness.with_user(user).action_record_signoff()

    def _unmet(self, readiness=None):
        readiness = readiness or self.readiness
        readiness.with_user(self.finance).action_check()
        return {check.code: check.reason for check in readiness.check_ids if check.state == "unmet"}


class TestBillingReadiness(ReadinessCase):
    def test_all_checks_pass_and_release_creates_one_invoice(self):
        self.env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
        self.env["svc.webhook.endpoint"].create({
            "name": "ERP", "url": "http://127.0.0.1:9/hook", "responsible_user_id": self.env.uid,
            "event_type_ids": [(6, 0, (self.env.ref("svc_resource_planning.event_type_billing_ready")
                                       | self.env.ref("svc_resource_planning.event_type_billing_released")).ids)],
        })  # fmt: skip
        self.readiness.sudo().unlink()  # one readiness per order and period: this test makes its own
        readiness = self.env["svc.billing.readiness"].create(
            {"sale_order_id": self.order.id, "period_start": MONDAY, "period_end": MONDAY + timedelta(days=6)}
        )
        self._sign_off(readiness, self.account_manager)  # the automation rule re-checks at once
        self.assertEqual(readiness.readiness_state, "ready")
        self.assertEqual(len(readiness.check_ids), 5)
        self.assertEqual(set(readiness.check_ids.mapped("state")), {"met"})
        with self.refused(AccessError, "Only finance"):
            readiness.with_user(self.account_manager).action_release()
        self.assertIs(readiness.with_user(self.finance).action_release(), True)
        invoices = self.env["account.move"].search(
            [("invoice_line_ids.sale_line_ids.order_id", "=", self.order.id)]
        )
        self.assertEqual(invoices, readiness.invoice_id, "one invoice, linked")
        self.assertEqual((readiness.invoice_id.state, readiness.readiness_state), ("draft", "released"))
        self.assertEqual(readiness.invoice_id.invoice_line_ids.sale_line_ids, self.order.order_line)
        readiness.invoice_id.with_user(self.finance).action_post()
        self.assertEqual(readiness.invoice_id.state, "posted")
        events = self.env["svc.outbox.event"].search(
            [("res_model", "=", readiness._name), ("res_id", "=", readiness.id)]
        )
        self.assertEqual(sorted(events.mapped("event_type")), ["billing.ready", "billing.released"])
        with self.refused(UserError, "Already released"):
            readiness.with_user(self.finance).action_release()

    def test_each_check_fails_alone(self):
        self.assertEqual(self._unmet(), {})
        self.assertEqual(self.readiness.readiness_state, "ready")
        cases = {
            "milestones": lambda: self.env["project.milestone"].create(
                {"name": "Go-live", "project_id": self.project.id, "deadline": MONDAY + timedelta(days=4)}
            ),
            "timesheets": lambda: self._log(
                self.task, 2, day=MONDAY + timedelta(days=1), user=self.project_manager
            ),
            "expenses": lambda: self._expense(name="Hotel"),
            "exceptions": lambda: self.env["svc.exception"].raise_for(
                self.project, "site_access", "general", "Client site closed"
            ),
        }
        expected = {
            "milestones": "not reached: Go-live",
            "timesheets": "1 timesheet lines not validated",
            "expenses": r"not approved and posted: Hotel \(To Report\)",
            "exceptions": "open: Client site closed",
        }
        for code, break_it in cases.items():
            with self.subTest(code), self.env.cr.savepoint(flush=True) as savepoint:
                break_it()
                unmet = self._unmet()
                self.assertEqual(list(unmet), [code])
                self.assertRegex(unmet[code], expected[code])
                self.assertEqual(self.readiness.readiness_state, "blocked")
                self.assertIn(
                    expected[code].split(":")[0].split(" (")[0].replace("\\", ""),
                    self.readiness.unmet_summary,
                )
                savepoint.rollback()
                self.env.invalidate_all()
        self.assertEqual(self._unmet(), {})

    def test_recheck_updates_each_check_in_place(self):
        self.readiness.action_check()
        checks = self.readiness.check_ids
        self.assertEqual(len(checks), 5)
        self.assertEqual(set(checks.mapped("state")), {"met"})
        self.milestone.is_reached = False
        self.readiness.action_check()
        self.assertEqual(self.readiness.check_ids, checks, "the same five rows, updated")
        self.assertEqual(self.readiness.unmet_count, 1)
        self.assertIn("Design approved", self.readiness.unmet_summary)
        self.assertEqual(self.readiness.readiness_state, "blocked")

    def test_compliance_below_blocks(self):
        self.env["svc.timesheet.compliance"].action_compute(MONDAY, MONDAY, self.employee.ids, notify=False)
        self.assertEqual(
            self._unmet(), {"timesheets": "below timesheet compliance: Carl Consultant (2026-03-02)"}
        )

    def test_missing_signoff_blocks(self):
        readiness = self.env["svc.billing.readiness"].create(
            {"sale_order_id": self.order.id, "period_start": MONDAY + timedelta(days=7),
             "period_end": MONDAY + timedelta(days=13)}
        )  # fmt: skip
        self.assertEqual(
            self._unmet(readiness), {"signoff": "missing: who signed, date, signed document, recorded"}
        )
        with self.refused(UserError, "fill in who signed, the date, the signed document"):
            readiness.with_user(self.account_manager).action_record_signoff()

    def test_triggers_recheck(self):
        readiness = self.readiness
        milestone = self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "deadline": MONDAY + timedelta(days=4)}
        )
        line = self._log(self.task, 2, day=MONDAY + timedelta(days=1), user=self.project_manager)
        readiness.action_check()
        self.assertEqual(readiness.readiness_state, "blocked")
        milestone.with_user(self.project_manager).is_reached = True  # automation rule
        self.assertEqual(list(self._checks_unmet(readiness)), ["timesheets"])
        line.with_user(self.project_manager).action_svc_validate()  # automation rule
        self.assertEqual(readiness.readiness_state, "ready")

    def _checks_unmet(self, readiness):
        return {check.code for check in readiness.check_ids if check.state == "unmet"}

    def test_release_refuses_blocked_and_sod(self):
        self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "deadline": MONDAY + timedelta(days=4)}
        )
        with self.refused(UserError, "is not ready to bill:\nMilestones reached: not reached: Go-live"):
            self.readiness.with_user(self.finance).action_release()
        readiness = self.env["svc.billing.readiness"].create(
            {"sale_order_id": self.order.id, "period_start": MONDAY + timedelta(days=7),
             "period_end": MONDAY + timedelta(days=13)}
        )  # fmt: skip
        self._sign_off(readiness, self.finance)
        self.assertEqual(readiness.readiness_state, "ready")
        with self.refused(UserError, "You recorded the client sign-off .*segregation of duties"):
            readiness.with_user(self.finance).action_release()
        readiness.with_user(self.finance_2).action_release()
        self.assertEqual(readiness.readiness_state, "released")

    def test_the_state_and_sign_off_record_are_set_by_the_actions_only(self):
        salesman = self.readiness.with_user(self.account_manager)
        for values in ({"readiness_state": "released"}, {"signoff_recorded_by_id": self.finance_2.id}):
            with self.refused(AccessError, "set by the Check, Record Sign-off and Release actions only"):
                salesman.write(values)
        with self.refused(AccessError, "A readiness starts blocked"):
            self.env["svc.billing.readiness"].with_user(self.account_manager).create(
                {"sale_order_id": self.order.id, "period_start": MONDAY, "period_end": MONDAY + timedelta(days=6),
                 "readiness_state": "ready"}
            )  # fmt: skip
        self.assertNotEqual(self.readiness.readiness_state, "released")

    def test_invoice_hold_and_emergency_path(self):
        self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "deadline": MONDAY + timedelta(days=4)}
        )
        self.readiness.action_check()
        invoice = self.order._create_invoices()
        with self.refused(UserError, "billing of .* is on hold.\nMilestones reached: not reached: Go-live"):
            invoice.with_user(self.finance).action_post()
        with self.refused(AccessError, "Only a finance manager"):
            self.readiness.with_user(self.account_manager).action_emergency_release("Client insists")
        self.readiness.sudo().signoff_recorded_by_id = self.finance_2  # recorded by finance_2
        with self.refused(UserError, "segregation of duties"):
            self.readiness.with_user(self.finance_2).action_emergency_release("Client insists")
        with self.refused(UserError, "Justify"):
            self.readiness.with_user(self.finance).action_emergency_release(" ")
        self.readiness.with_user(self.finance).action_emergency_release(
            "Year-end: the client asked for the invoice"
        )
        self.assertEqual(self.readiness.approval_state, "emergency")
        review = self.env["svc.exception"].search(
            [("res_model", "=", self.readiness._name), ("res_id", "=", self.readiness.id),
             ("key", "=", "approval_emergency_review")]
        )  # fmt: skip
        self.assertEqual(review.state, "open", "the post-event review waits in the queue")
        invoice.with_user(self.finance).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_cron_flags_blocked_past_invoice_date_once(self):
        self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "deadline": MONDAY + timedelta(days=4)}
        )
        Readiness = self.env["svc.billing.readiness"]
        Readiness._cron_recheck()
        Readiness._cron_recheck()
        exception = self.env["svc.exception"].search(
            [
                ("res_model", "=", self.readiness._name),
                ("res_id", "=", self.readiness.id),
                ("key", "=", "billing_blocked"),
            ]
        )
        self.assertEqual((len(exception), exception.category, exception.occurrences), (1, "billing", 2))
        self.assertIn("Go-live", exception.message)
        self.env["project.milestone"].search([("name", "=", "Go-live")]).is_reached = True
        self.assertEqual(self.readiness.readiness_state, "ready")
        self.assertEqual(exception.state, "resolved")
