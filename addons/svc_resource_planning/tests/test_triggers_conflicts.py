from datetime import date, timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import W11, ResourcePlanningCase


class TestSaleAndOpportunityTriggers(ResourcePlanningCase):
    """The shipped automation rules: sold services and late-stage opportunities open requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Northwind Clinics"})
        cls.service = cls.env["product.product"].create(
            {
                "name": "ERP Implementation (hours)",
                "type": "service",
                "service_tracking": "project_only",
                "uom_id": cls.env.ref("uom.product_uom_hour").id,
                "uom_po_id": cls.env.ref("uom.product_uom_hour").id,
                "list_price": 100,
            }
        )

    def test_confirming_a_sale_order_opens_a_request_with_one_role_per_service_line(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "commitment_date": fields.Datetime.to_datetime("2026-03-09 09:00:00"),
                "order_line": [(0, 0, {"product_id": self.service.id, "product_uom_qty": 100})],
            }
        )
        order.action_confirm()
        request = self.env["svc.staffing.request"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.state, "open")
        self.assertEqual(request.project_id, order.order_line.project_id)
        line = request.line_ids
        self.assertEqual(line.role, "ERP Implementation (hours)")
        self.assertEqual(line.sale_line_id, order.order_line)
        # 100 h over ceil(100 / 40) = 3 weeks from Monday 9 March: 33.33 h a week to Friday 27 March
        self.assertEqual((line.date_from, line.date_to), (W11, date(2026, 3, 27)))
        self.assertAlmostEqual(line.hours_per_week, 33.33)
        # running the rule again adds nothing
        order.order_line._svc_open_staffing_requests()
        self.assertEqual(len(request.line_ids), 1)

    def _opportunity(self, probability):
        return self.env["crm.lead"].create(
            {"name": "Logistics portal", "type": "opportunity", "partner_id": self.partner.id,
             "probability": probability}
        )  # fmt: skip

    def test_late_stage_opportunity_books_tentative_hours_that_losing_frees(self):
        lead = self._opportunity(40)
        self.assertFalse(lead.svc_staffing_request_ids)
        lead.probability = 75  # at or above the 70% default
        request = lead.svc_staffing_request_ids
        self.assertEqual(len(request), 1)
        self.assertTrue(request.is_provisional)
        self.assertEqual(lead.svc_staffing_request_count, 1)
        self.assertEqual(lead.action_view_svc_staffing_requests()["domain"], [("lead_id", "=", lead.id)])
        allocation = request.allocation_ids
        self.assertEqual(len(allocation), 1)
        self.assertEqual(allocation.state, "tentative")
        lead.probability = 80
        self.assertEqual(
            len(lead.svc_staffing_request_ids), 1, "a second move does not open a second request"
        )
        lead.action_set_lost()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(allocation.state, "cancelled")

    def test_a_salesperson_moving_the_opportunity_opens_the_provisional_request(self):
        salesperson = self.env["res.users"].create(
            {"name": "Sam Sales", "login": "svc_rp_sales",
             "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]}
        )  # fmt: skip
        lead = self._opportunity(30)
        lead.user_id = salesperson
        lead.with_user(salesperson).probability = 90
        request = lead.sudo().svc_staffing_request_ids
        self.assertTrue(request.is_provisional)
        self.assertEqual(request.requested_by_id, salesperson)
        self.assertEqual(request.allocation_ids.state, "tentative")

    def test_winning_makes_the_provisional_request_firm(self):
        self.company.svc_late_stage_probability = 60
        lead = self._opportunity(65)
        request = lead.svc_staffing_request_ids
        self.assertTrue(request.is_provisional)
        lead.action_set_won()
        self.assertFalse(request.is_provisional)
        self.assertNotEqual(request.state, "cancelled")

    def _staffing_policy(self, steps):
        return self.env["svc.approval.policy"].create(
            {
                "name": "Test staffing requests",
                "model_id": self.env["ir.model"]._get("svc.staffing.request").id,
                "step_ids": [
                    (0, 0, {"name": "Resource operations", "approver_type": "user",
                            "user_ids": [(6, 0, self.resource_manager.ids)]})
                ] if steps else [],
            }
        )  # fmt: skip

    def test_late_stage_opportunity_under_a_policy_with_steps_books_once_approved(self):
        self._staffing_policy(steps=True)
        salesperson = new_test_user(self.env, "svc_rp_sales_policy", groups="sales_team.group_sale_salesman")
        lead = self._opportunity(30)
        lead.user_id = salesperson
        # used to fail: "Submit request ... before looking for candidates (it is draft ...)"
        lead.with_user(salesperson).probability = 75
        request = lead.sudo().svc_staffing_request_ids
        self.assertEqual(
            (len(request), request.state, request.approval_state, request.is_provisional),
            (1, "draft", "pending", True),
        )
        self.assertFalse(request.allocation_ids, "nothing is booked before the request is approved")
        lead.with_user(salesperson).probability = 80
        self.assertEqual(len(lead.sudo().svc_staffing_request_ids), 1)
        self.assertFalse(request.allocation_ids)
        request.with_user(self.resource_manager).action_approve()
        self.assertEqual((request.approval_state, request.state), ("approved", "proposed"))
        self.assertEqual(request.allocation_ids.state, "tentative")
        self.assertEqual(len(request.allocation_ids), len(request.line_ids))
        lead.action_set_lost()
        self.assertEqual((request.state, request.allocation_ids.state), ("cancelled", "cancelled"))

    def test_late_stage_opportunity_rejected_by_the_policy_books_nothing(self):
        self._staffing_policy(steps=True)
        lead = self._opportunity(75)
        request = lead.svc_staffing_request_ids
        self.assertEqual(request.approval_state, "pending")
        request.with_user(self.resource_manager).action_reject("Not staffing pre-sales this quarter")
        self.assertEqual(request.approval_state, "rejected")
        self.assertFalse(request.allocation_ids)

    def test_late_stage_opportunity_under_a_policy_without_steps_books_at_once_and_once(self):
        self._staffing_policy(steps=False)
        lead = self._opportunity(75)
        request = lead.svc_staffing_request_ids
        self.assertEqual((request.approval_state, request.state), ("approved", "proposed"))
        self.assertEqual(len(request.allocation_ids), 1, "approval and the rule book the role once")
        self.assertEqual(request.allocation_ids.state, "tentative")
        request._svc_book_provisional()
        self.assertEqual(len(request.allocation_ids), 1, "running it again books nothing more")


class TestConflicts(ResourcePlanningCase):
    """Late leave validation or another confirmation puts allocations over capacity."""

    def _exception(self, allocation):
        return self.env["svc.exception"].search(
            [
                ("res_model", "=", allocation._name),
                ("res_id", "=", allocation.id),
                ("key", "=", "staffing_conflict"),
            ]
        )

    def test_leave_validated_later_raises_a_conflict_naming_the_week_and_alternatives(self):
        allocation = self._allocate(self.ann, W11, date(2026, 3, 13), 32, state="confirmed")
        self.assertEqual(allocation.state, "confirmed")  # 32 / 40 = 80%
        self.assertFalse(self._exception(allocation))
        self._leave(self.ann, date(2026, 3, 9), date(2026, 3, 10), validate=True)
        exception = self._exception(allocation)
        self.assertEqual(len(exception), 1)
        self.assertIn("leave validated after the allocation was made", exception.message)
        self.assertIn("2026-W11 (32.0 h booked, 24.0 h available)", exception.message)
        self.assertIn("Alternatives: ", exception.message)
        self.assertNotIn("Ann Architect (", exception.message.split("Alternatives: ")[1])
        self.assertEqual(exception.category, "staffing")

    def test_confirming_another_allocation_flags_the_ones_now_over_capacity(self):
        self.company.svc_overallocation_threshold = 200
        first = self._allocate(self.ann, W11, date(2026, 3, 13), 30, state="confirmed")
        self._allocate(self.ann, W11, date(2026, 3, 13), 20, state="confirmed")
        exception = self._exception(first)
        self.assertIn("another allocation of the employee was confirmed", exception.message)
        self.assertIn("2026-W11 (50.0 h booked, 40.0 h available)", exception.message)

    def test_a_small_leave_that_still_fits_raises_nothing(self):
        allocation = self._allocate(self.ann, W11, date(2026, 3, 13), 16, state="confirmed")
        self._leave(self.ann, date(2026, 3, 9), date(2026, 3, 9), validate=True)
        self.assertFalse(self._exception(allocation))


class TestEndingAllocationsCron(ResourcePlanningCase):
    """The daily scheduled action flags allocations ending without a follow-on."""

    def test_ending_without_follow_on_gets_one_activity_and_the_bench_is_reported(self):
        today = fields.Date.context_today(self.env.user)
        ending = self._allocate(
            self.ann, today - timedelta(days=20), today + timedelta(days=5), 8, state="confirmed"
        )
        followed = self._allocate(
            self.bob, today - timedelta(days=20), today + timedelta(days=5), 8, state="confirmed"
        )
        self._allocate(self.bob, today + timedelta(days=6), today + timedelta(days=60), 8)
        cron = self.env.ref("svc_resource_planning.ir_cron_flag_ending_allocations")
        self.assertEqual(cron.code, "model._cron_flag_ending_allocations()")
        flagged = self.env["svc.resource.allocation"]._cron_flag_ending_allocations()
        self.assertIn(ending.id, flagged)
        self.assertNotIn(followed.id, flagged)
        self.assertEqual(len(ending.activity_ids), 1)
        self.assertEqual(ending.activity_ids.user_id, self.resource_manager)
        self.assertNotIn(ending.id, self.env["svc.resource.allocation"]._cron_flag_ending_allocations())
        self.assertEqual(len(ending.activity_ids), 1)
        bench = self.env["svc.exception"].search(
            [
                ("res_model", "=", "res.company"),
                ("res_id", "=", self.company.id),
                ("key", "=", "staffing_bench"),
            ]
        )
        self.assertIn("on the bench", bench.name)
