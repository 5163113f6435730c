from odoo.exceptions import AccessError, UserError, ValidationError

from .billing_common import BillingCase


class TestRetainer(BillingCase):
    """Retainers: consumption, the warning with a client notice the account manager confirms,
    refusal at 100%, and overage approved through the engine before more time is accepted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        model = cls.env["ir.model"]._get("svc.retainer.overage")
        cls.env["svc.approval.policy"].search([("model_id", "=", model.id)]).active = False
        cls.env["svc.approval.policy"].create([
            {"name": "Large overage", "model_id": model.id, "sequence": 1, "domain": "[('hours', '>', 20)]",
             "step_ids": [(0, 0, {"name": "Account manager", "approver_type": "record_field",
                                  "field_name": "account_manager_id"}),
                          (0, 0, {"name": "Sales management", "approver_type": "group",
                                  "group_id": cls.env.ref("sales_team.group_sale_manager").id})]},
            {"name": "Overage", "model_id": model.id, "sequence": 2,
             "step_ids": [(0, 0, {"name": "Account manager", "approver_type": "record_field",
                                  "field_name": "account_manager_id"})]},
        ])  # fmt: skip
        cls.order = cls._retainer_order(hours=10.0)
        cls.line = cls.order.order_line
        cls.task = cls.line.task_id

    def _overage(self, hours, user=None):
        return (
            self.env["svc.retainer.overage"]
            .with_user(user or self.project_manager)
            .create(
                {"sale_line_id": self.line.id, "hours": hours, "rate": 120.0, "reason": "Go-live support"}
            )
        )

    def _activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", self.order.id)]
        )

    def test_consumption_and_warning_notifies_once(self):
        self.assertTrue(self.line.svc_is_retainer)
        self.assertTrue(self.task, "the retainer's service created the task the consultant logs on")
        self._log(self.task, 5)
        self.assertEqual((self.line.svc_consumed_hours, self.line.svc_consumption), (5.0, 50.0))
        self.assertEqual(self.line.svc_retainer_state, "ok")
        self.assertFalse(self._activities())

        self._log(self.task, 3.5)  # the crossing moment: 85%
        self.assertEqual(self.line.svc_retainer_state, "warning")
        activity = self._activities()
        self.assertEqual(activity.user_id, self.account_manager)
        self.assertIn("85%", activity.summary)
        self.assertEqual(self.line.svc_client_notice_state, "to_confirm")
        self.assertFalse(self.env["mail.mail"].search([("subject", "ilike", self.order.name)]),
                         "nothing goes to the client before the account manager confirms")  # fmt: skip
        self.env["sale.order.line"]._cron_svc_check_retainers()
        self._log(self.task, 0.5)
        self.assertEqual(len(self._activities()), 1, "the cron and further time do not warn twice")

        with self.refused(AccessError, "Only the account manager"):
            self.line.with_user(self.project_manager).action_svc_send_client_notice()
        self.line.with_user(self.account_manager).action_svc_send_client_notice()
        mail = self.env["mail.mail"].search([("subject", "ilike", self.order.name)])
        self.assertEqual(len(mail), 1)
        self.assertIn("90%", mail.subject)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(self.line.svc_client_notice_state, "sent")
        with self.refused(UserError, "No client notice is waiting"):
            self.line.with_user(self.account_manager).action_svc_send_client_notice()

    def test_exhausted_refuses_time_until_overage_approved(self):
        self._log(self.task, 10)
        self.assertEqual(self.line.svc_retainer_state, "exhausted")
        activity = self._activities()
        self.assertEqual(len(activity), 1, "crossing both thresholds at once: one activity says both")
        self.assertIn("Retainer exhausted", activity.summary)
        with self.refused(UserError, "is exhausted .* until an overage request is approved"):
            self._log(self.task, 1)
        self.assertEqual(self.line.svc_consumed_hours, 10.0, "the refused time was not recorded")

        overage = self._overage(8)
        overage.action_submit()
        self.assertEqual((overage.state, overage.approval_state), ("pending", "pending"))
        with self.refused(UserError, "is exhausted"):
            self._log(self.task, 1)
        with self.refused(UserError, "not an approver"):
            overage.with_user(self.sales_manager).action_approve()
        with self.refused(UserError, "requester cannot approve"):
            overage.with_user(self.project_manager).action_approve()
        overage.with_user(self.account_manager).action_approve()
        self.assertEqual(overage.state, "approved")
        self.assertEqual(self.line.svc_retainer_state, "overage_approved")
        self.assertEqual(self.line.svc_overage_hours, 8)
        self.assertIn("8.0 extra hours at 120.0", self.order.message_ids[:1].body)
        self.assertEqual(self.order.svc_overage_ids, overage)

        self._log(self.task, 8)  # accepted now, up to the approved extra hours
        self.assertEqual(self.line.svc_retainer_state, "exhausted")
        with self.refused(UserError, "18.0 of 18.0 hours used"):
            self._log(self.task, 0.25)

    def test_large_overage_needs_sales_management_too(self):
        self._log(self.task, 10)
        overage = self._overage(30)
        overage.action_submit()
        overage.with_user(self.account_manager).action_approve()
        self.assertEqual(overage.state, "pending", "above 20 hours sales management decides too")
        with self.refused(UserError, "exhausted"):
            self._log(self.task, 1)
        overage.with_user(self.sales_manager).action_approve()
        self.assertEqual(overage.state, "approved")
        self._log(self.task, 1)

    def test_rejected_overage_keeps_the_retainer_closed(self):
        self._log(self.task, 10)
        overage = self._overage(4)
        overage.action_submit()
        overage.with_user(self.account_manager).action_reject("Client declined")
        self.assertEqual(overage.state, "rejected")
        with self.refused(UserError, "exhausted"):
            self._log(self.task, 1)
        with self.refused(UserError, "Only draft"):
            overage.action_submit()

    def test_only_the_approval_decides_an_overage(self):
        with self.refused(UserError, "starts as a draft"):
            self.env["svc.retainer.overage"].with_user(self.project_manager).create(
                {"sale_line_id": self.line.id, "hours": 5, "rate": 120.0, "reason": "x", "state": "approved"}
            )
        overage = self._overage(5)
        with self.refused(UserError, "only their approval decides their state"):
            overage.write({"state": "approved"})
        overage.action_submit()
        with self.refused(UserError, "Only draft overage requests can be changed"):
            overage.write({"hours": 500})
        self.assertEqual((overage.state, overage.hours), ("pending", 5))

    def test_bad_overage_input(self):
        with self.refused(ValidationError, "positive number of extra hours"):
            self._overage(0)
        other = (
            self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "name": "Consulting",
                                "product_id": self.env.ref("product.product_product_1").id,
                            },
                        )
                    ],
                }
            )
            if self.env.ref("product.product_product_1", raise_if_not_found=False)
            else None
        )
        if other:
            with self.refused(ValidationError, "is not a retainer"):
                self.env["svc.retainer.overage"].create(
                    {"sale_line_id": other.order_line.id, "hours": 2, "rate": 1, "reason": "x"}
                )

    def test_threshold_is_per_order(self):
        order = self._retainer_order(hours=10.0, threshold=50.0)
        self._log(order.order_line.task_id, 5)
        self.assertEqual(order.order_line.svc_retainer_state, "warning")
        with self.refused(ValidationError, "between 1 and 100"):
            order.svc_retainer_warning_threshold = 150

    def _exhaustion_exceptions(self):
        return self.env["svc.exception"].search(
            [
                ("res_model", "=", "sale.order.line"),
                ("res_id", "=", self.line.id),
                ("key", "=", "retainer_exhausted"),
            ]
        )

    def test_exhaustion_raises_one_exception_that_the_approved_overage_resolves(self):
        self._log(self.task, 10)
        exception = self._exhaustion_exceptions()
        self.assertEqual((len(exception), exception.state, exception.category), (1, "open", "billing"))
        self.assertEqual(exception.owner_id, self.account_manager, "the account manager owns it")
        self.assertIn("exhausted", exception.name)
        self.env["sale.order.line"]._cron_svc_check_retainers()
        self.line._svc_raise_exhausted()  # detected again: the same exception, refreshed
        self.assertEqual(self._exhaustion_exceptions(), exception)
        self.assertEqual(exception.occurrences, 2)

        overage = self._overage(8)
        overage.action_submit()
        overage.with_user(self.account_manager).action_reject("Not now")
        self.assertEqual(exception.state, "open", "a rejected overage leaves the retainer exhausted")
        overage = self._overage(8)
        overage.action_submit()
        overage.with_user(self.account_manager).action_approve()
        self.assertEqual(exception.state, "resolved")

        self._log(self.task, 8)  # the raised allowance used up in turn: notified again, once
        self.assertEqual(self.line.svc_retainer_state, "exhausted")
        exceptions = self._exhaustion_exceptions()
        self.assertEqual(len(exceptions), 2)
        self.assertEqual((exceptions - exception).state, "open")
        self.env["sale.order.line"]._cron_svc_check_retainers()
        self.assertEqual(len(self._exhaustion_exceptions()), 2)

    def test_approved_overage_is_invoiced_on_its_own_line_and_no_hour_twice(self):
        self._log(self.task, 10)
        overage = self._overage(8)
        overage.action_submit()
        self.assertFalse(overage.invoice_line_ids, "nothing to invoice before the approval")
        overage.with_user(self.account_manager).action_approve()
        overage_line = self.order.order_line - self.line
        self.assertEqual(len(overage_line), 1, "the approval recorded one line on the order")
        self.assertEqual(overage.invoice_line_ids.ids, overage_line.ids)
        self.assertEqual(
            overage_line.product_id, self.env.ref("svc_resource_planning.product_retainer_overage")
        )
        self.assertEqual((overage_line.product_uom_qty, overage_line.price_unit), (8.0, 120.0))
        self.assertIn(overage.name, overage_line.name, "the line says which request it invoices")
        self.assertFalse(overage_line.svc_is_retainer, "the overage line is not a retainer of its own")
        self.assertEqual(overage_line.qty_to_invoice, 8.0)
        overage.sudo()._svc_on_approved()  # approved twice (the engine replays it): still one line
        self.assertEqual(self.order.order_line - self.line, overage_line)

        self._log(self.task, 8)  # the extra hours land on the retainer's task, hence its line
        self.assertEqual(self.line.qty_delivered, 18.0)
        self.assertEqual(overage_line.qty_delivered, 0.0)
        invoice = self.order._create_invoices()
        quantities = {
            line.sale_line_ids: (line.quantity, line.price_unit) for line in invoice.invoice_line_ids
        }
        self.assertEqual(quantities, {self.line: (10.0, 100.0), overage_line: (8.0, 120.0)},
                         "18 hours logged, 18 invoiced: 10 contracted at the retainer price, 8 at the overage rate")  # fmt: skip
        self.assertEqual(self.order.invoice_status, "invoiced")
        self.assertEqual((self.line.qty_to_invoice, overage_line.qty_to_invoice), (0.0, 0.0))
        with self.assertRaises(UserError):
            self.order._create_invoices()  # nothing left to invoice

    def test_rejected_or_pending_overage_invoices_nothing(self):
        self._log(self.task, 10)
        rejected, pending = self._overage(4), self._overage(30)
        (rejected | pending).action_submit()
        rejected.with_user(self.account_manager).action_reject("Client declined")
        pending.with_user(self.account_manager).action_approve()  # sales management still has to decide
        self.assertEqual(pending.state, "pending")
        self.assertFalse((rejected | pending).invoice_line_ids)
        self.assertEqual(self.order.order_line, self.line)
