from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError

from .common import ApprovalCase


class TestEscalationAndEmergency(ApprovalCase):
    """Nobody acts: the cron escalates once. Something burns: the emergency path, reviewed after."""

    def test_overdue_step_escalates_once(self):
        doc = self._document()
        doc.action_request_approval()
        step = doc.approval_request_ids.filtered(lambda r: r.state == "pending")
        step.sudo().due_at = fields.Datetime.now() - timedelta(hours=1)
        requests = self.env["svc.approval.request"]
        self.assertEqual(requests._cron_escalate_overdue(), 1)
        self.env.invalidate_all()
        self.assertEqual(step.state, "escalated")
        self.assertEqual(step.approver_ids, self.approver | self.director)
        self.assertEqual(step.sudo().activity_ids.user_id, self.director)
        exception = self.env["svc.exception"].search(
            [("res_model", "=", step._name), ("res_id", "=", step.id)]
        )
        self.assertEqual(
            (exception.category, exception.state, exception.owner_id), ("approval", "open", self.director)
        )
        self.assertEqual(len(self._log(doc, "escalated")), 1)

        self.assertEqual(requests._cron_escalate_overdue(), 0, "running it twice changes nothing more")
        self.env.invalidate_all()
        self.assertEqual(len(step.sudo().activity_ids), 1)
        self.assertEqual(len(self._log(doc, "escalated")), 1)
        self.assertEqual(exception.occurrences, 1)

        doc.with_user(self.director).action_approve(comment="Escalated to me")
        self.assertEqual(step.state, "approved")

    def test_emergency_release_needs_the_group_and_a_justification(self):
        doc = self._document()
        doc.action_request_approval()
        error = self._deny(doc, self.approver, "action_emergency_release", "Client down")
        self.assertIn("Emergency Release group", str(error))
        self.assertEqual(doc.approval_state, "pending")
        self.assertEqual(len(self._log(doc, "denied")), 1)
        with self.assertRaisesRegex(UserError, "Justify"):
            doc.with_user(self.emergency_user).action_emergency_release("")

        doc.with_user(self.emergency_user).action_emergency_release("Client site down, same-day fix")
        self.assertEqual(doc.approval_state, "emergency")
        self.assertEqual(doc.approved_calls, 1, "the document proceeds")
        doc.with_user(self.requester).action_done()
        review = doc.approval_request_ids.filtered(lambda r: r.kind == "review")
        self.assertEqual(review.state, "pending")
        self.assertIn(self.policy_manager, review.approver_ids)
        self.assertNotIn(self.emergency_user, review.approver_ids)
        exception = self.env["svc.exception"].search([("res_model", "=", doc._name), ("res_id", "=", doc.id)])
        self.assertEqual(exception.state, "open")
        self.assertEqual(self._log(doc, "emergency").comment, "Client site down, same-day fix")

        doc.with_user(self.policy_manager).action_approve(comment="Justified")
        self.assertEqual(review.state, "approved")
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(doc.approval_state, "emergency", "the record keeps how it was released")

    def test_multi_company_policies_and_requests_do_not_leak(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.policy.company_id = other_company
        doc = self._document()
        doc.action_request_approval()
        self.assertEqual(doc.approval_state, "not_required", "another company's policy does not govern")
        self.policy.company_id = self.env.company
        doc2 = self._document()
        doc2.action_request_approval()
        outsider = self.env["res.users"].create(
            {"name": "Outsider", "login": "svc_outsider", "company_id": other_company.id,
             "company_ids": [(6, 0, other_company.ids)],
             "groups_id": [(6, 0, [self.env.ref("svc_approval_matrix.group_approval_manager").id])]}
        )  # fmt: skip
        self.assertFalse(self.env["svc.approval.request"].with_user(outsider).search([]))
        self.assertFalse(self.env["svc.approval.log"].with_user(outsider).search([]))
        self.assertFalse(self.env["svc.approval.policy"].with_user(outsider).search([]))
