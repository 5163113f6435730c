from odoo.exceptions import UserError

from .common import ApprovalCase


class TestApprovalFlow(ApprovalCase):
    """Request, decide step by step, and the segregation-of-duties rules, as real users."""

    def test_two_steps_in_sequence_then_the_document_proceeds(self):
        doc = self._document(amount=5000)
        with self.assertRaisesRegex(UserError, "Approval is missing"):
            doc.action_done()
        self.assertIs(doc.action_request_approval(), True)
        self.assertEqual(doc.approval_state, "pending")
        first, second = doc.approval_request_ids.sorted("sequence")
        self.assertEqual((first.state, second.state), ("pending", "waiting"))
        self.assertEqual(first.approver_ids, self.approver)
        self.assertTrue(first.due_at)

        self.assertTrue(doc.with_user(self.approver).can_approve)
        self.assertFalse(doc.with_user(self.finance).can_approve, "finance decides only the second step")
        doc.with_user(self.approver).action_approve(comment="Fine by me")
        self.assertEqual((first.state, second.state), ("approved", "pending"))
        self.assertEqual(first.decided_by_id, self.approver)
        self.assertEqual(second.approver_ids, self.finance | self.approver2)

        doc.with_user(self.finance).action_approve()
        self.assertEqual(doc.approval_state, "approved")
        self.assertEqual(doc.approved_calls, 1, "the document proceeds once")
        doc.with_user(self.requester).action_done()
        self.assertEqual(doc.state, "done")
        self.assertEqual(
            self._log(doc).mapped("event"),
            ["requested", "approved", "approved"],
            "the audit trail tells the story",
        )
        self.assertEqual(self._log(doc, "approved")[0].comment, "Fine by me")

    def test_under_the_threshold_no_approval_is_needed(self):
        doc = self._document(amount=999)
        doc.action_request_approval()
        self.assertEqual(doc.approval_state, "not_required")
        self.assertFalse(doc.approval_request_ids)
        doc.action_done()
        self.assertEqual(doc.state, "done")

    def test_a_policy_without_steps_approves_at_once(self):
        self.env["svc.approval.policy"].create(
            {
                "name": "Small auto",
                "model_id": self.model.id,
                "amount_min": 100,
                "amount_max": 1000,
                "sequence": 1,
            }
        )
        doc = self._document(amount=500)
        doc.action_request_approval()
        self.assertEqual(doc.approval_state, "approved")
        self.assertEqual(doc.approved_calls, 1)
        self.assertEqual(self._log(doc).event, "approved")

    def test_requester_never_approves_own_document(self):
        doc = self._document(amount=5000, manager=self.requester)
        with self.assertRaisesRegex(UserError, "needs 1 distinct approver"):
            doc.action_request_approval()
        doc.manager_id = self.approver
        doc.action_request_approval()
        error = self._deny(doc, self.requester)
        self.assertIsInstance(error, UserError)
        self.assertIn("requester cannot approve their own document", str(error))
        self.assertEqual(doc.approval_state, "pending", "nothing changed")
        self.assertEqual(self._log(doc, "denied").user_id, self.requester)

    def test_same_person_never_approves_two_steps(self):
        doc = self._document(amount=5000, manager=self.approver2)
        doc.action_request_approval()
        doc.with_user(self.approver2).action_approve()
        second = doc.approval_request_ids.filtered(lambda r: r.state == "pending")
        self.assertEqual(second.approver_ids, self.finance, "approver2 is excluded from the finance step")
        error = self._deny(doc, self.approver2)
        self.assertIn("earlier step", str(error))
        self.assertEqual(second.state, "pending")

    def test_stranger_is_denied_and_logged(self):
        doc = self._document()
        doc.action_request_approval()
        error = self._deny(doc, self.stranger)
        self.assertIsInstance(error, UserError)
        self.assertIn("Approvers of this step", str(error))
        self.assertEqual(self._log(doc, "denied").comment, "not an approver of this step")
        self.assertFalse(doc.approval_request_ids.approved_by_ids)

    def test_dual_approval_needs_two_distinct_people(self):
        self.policy.step_ids[1].min_approvals = 2
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        finance_step = doc.approval_request_ids.filtered(lambda r: r.state == "pending")
        doc.with_user(self.finance).action_approve()
        self.assertEqual(finance_step.state, "pending", "one of two approvals")
        error = self._deny(doc, self.finance)
        self.assertIn("already approved this step", str(error))
        doc.with_user(self.approver2).action_approve()
        self.assertEqual(finance_step.state, "approved")
        self.assertEqual(doc.approval_state, "approved")

    def test_reject_needs_a_reason_and_ends_the_approval(self):
        doc = self._document()
        doc.action_request_approval()
        with self.assertRaisesRegex(UserError, "Say why"):
            doc.with_user(self.approver).action_reject("  ")
        doc.with_user(self.approver).action_reject("Over budget")
        self.assertEqual(doc.approval_state, "rejected")
        self.assertEqual(doc.rejection_reason, "Over budget")
        self.assertEqual(
            doc.approval_request_ids.sorted("sequence").mapped("state"), ["rejected", "cancelled"]
        )
        with self.assertRaisesRegex(UserError, "not waiting for a decision"):
            doc.with_user(self.finance).action_approve()
        message = doc.message_ids.filtered(lambda m: "Over budget" in (m.body or ""))
        self.assertTrue(message, "the requester is told in the chatter")

    def _requester_messages(self, doc, text):
        return doc.message_ids.filtered(
            lambda m: text in (m.body or "") and self.requester.partner_id in m.partner_ids
        )

    def test_a_batch_decision_tells_each_requester_once_after_the_audit_lines(self):
        docs = self._document(amount=5000) | self._document(amount=6000)
        docs.action_request_approval()
        docs.with_user(self.approver).action_reject("Batch over budget")
        self.assertEqual(docs.mapped("approval_state"), ["rejected", "rejected"])
        for doc in docs:
            self.assertEqual(len(self._requester_messages(doc, "Batch over budget")), 1, doc.name)
        self.assertIsNone(self.env.transaction.svc_approval_notify_pending, "nothing left collecting")

    def test_an_approver_without_email_still_decides_and_the_requester_is_told(self):
        """The engine posts the decision as superuser, so an approver with no e-mail address is
        not stopped by the "Set an e-mail address" sentence that their own chatter posts get."""
        self.approver.email = False
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_reject("No address needed")
        self.assertEqual(doc.approval_state, "rejected")
        self.assertEqual(len(self._requester_messages(doc, "No address needed")), 1)
        with self.assertRaisesRegex(UserError, "Set an e-mail address on your user"):
            doc.with_user(self.approver).message_post(body="A comment of their own")

    def test_the_automation_rule_still_decides_whether_the_requester_is_told(self):
        self.env.ref("svc_approval_matrix.automation_notify_requester_on_decision").active = False
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_reject("Rule switched off")
        self.assertEqual(doc.approval_state, "rejected")
        self.assertFalse(self._requester_messages(doc, "Rule switched off"))

    def test_requesting_twice_is_refused(self):
        doc = self._document()
        doc.action_request_approval()
        with self.assertRaisesRegex(UserError, "already requested"):
            doc.action_request_approval()
        self.assertEqual(len(doc.approval_request_ids), 2)

    def test_delegate_decides_on_behalf_inside_the_dates(self):
        doc = self._document()
        doc.action_request_approval()
        delegation = (
            self.env["svc.approval.delegation"]
            .with_user(self.approver)
            .create({"delegate_id": self.stranger.id, "date_to": "2999-12-31"})
        )
        self.assertTrue(doc.with_user(self.stranger).can_approve)
        to_approve = (
            self.env["svc.approval.test.document"]
            .with_user(self.stranger)
            .search([("can_approve", "=", True)])
        )
        self.assertIn(doc, to_approve)
        doc.with_user(self.stranger).action_approve()
        line = self._log(doc, "approved")
        self.assertEqual((line.user_id, line.on_behalf_of_id), (self.stranger, self.approver))
        self.assertEqual(self._log(delegation, "delegated").on_behalf_of_id, self.approver)

        other = self._document()
        other.action_request_approval()
        delegation.write({"date_from": "2000-01-01", "date_to": "2000-01-31"})
        self.assertIsInstance(
            self._deny(other, self.stranger), UserError, "an expired delegation gives no right"
        )

    def test_approved_document_goes_back_when_amount_rises(self):
        self.policy.reapprove_on_change = True
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        doc.with_user(self.finance).action_approve()
        doc.amount = 4000
        self.assertEqual(doc.approval_state, "approved", "a lower amount keeps the approval")
        doc.amount = 9000
        self.assertEqual(doc.approval_state, "pending")
        self.assertEqual(len(self._log(doc, "reset")), 1)
        self.assertEqual(len(doc.approval_request_ids.filtered(lambda r: r.state == "pending")), 1)

    def test_can_approve_search_is_one_query(self):
        docs = (
            self.env["svc.approval.test.document"]
            .with_user(self.requester)
            .create([{"name": f"D{i}", "amount": 2000, "manager_id": self.approver.id} for i in range(5)])
        )
        docs.action_request_approval()
        model = self.env["svc.approval.test.document"].with_user(self.approver)
        model.search([("can_approve", "=", True)])  # warm the delegation and rule caches
        with self.assertQueryCount(1):
            found = model.search([("can_approve", "=", True)])
        self.assertEqual(found, docs)
        self.assertFalse(model.with_user(self.finance).search([("can_approve", "=", True)]))
        self.assertEqual(model.search([("can_approve", "=", False), ("id", "in", docs.ids)]).ids, [])

    def test_audit_log_is_append_only_even_for_the_superuser(self):
        doc = self._document()
        doc.action_request_approval()
        line = self._log(doc)
        with self.assertRaisesRegex(UserError, "append-only"):
            line.sudo().write({"comment": "rewritten"})
        with self.assertRaisesRegex(UserError, "append-only"):
            line.sudo().unlink()

    def test_decision_wizard_applies_the_same_rules(self):
        doc = self._document()
        doc.action_request_approval()
        action = (
            doc.with_user(self.approver).with_context(svc_decision="reject").action_open_decision_wizard()
        )
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.approver)
            .with_context(**action["context"])
            .create({"comment": "No"})
        )
        wizard.action_confirm()
        self.assertEqual(doc.approval_state, "rejected")

    def test_many_documents_approved_in_one_call_all_or_nothing(self):
        docs = (
            self.env["svc.approval.test.document"]
            .with_user(self.requester)
            .create([{"name": f"B{i}", "amount": 2000, "manager_id": self.approver.id} for i in range(3)])
        )
        foreign = self._document(manager=self.approver2)
        (docs | foreign).action_request_approval()
        error = self._deny(docs | foreign, self.approver)
        self.assertIsInstance(error, UserError)
        self.assertFalse(docs.approval_request_ids.approved_by_ids, "a refusal in the batch changes nothing")
        docs.with_user(self.approver).action_approve(comment="batch")
        self.assertEqual(set(docs.mapped("approval_request_ids").filtered(lambda r: r.sequence == 0).mapped("state")),
                         {"approved"})  # fmt: skip
        self.assertEqual(len(self._log(docs[0], "approved")), 1)
        self.assertTrue(all(doc.with_user(self.finance).can_approve for doc in docs), "finance is next")

    def test_decide_from_the_request_list(self):
        doc = self._document()
        doc.action_request_approval()
        step = doc.approval_request_ids.filtered(lambda r: r.state == "pending")
        self.assertEqual(step.res_name, doc.display_name)
        self.assertEqual(step.with_user(self.approver).action_open_record()["res_id"], doc.id)
        step.with_user(self.approver).action_approve(comment="from the list")
        self.assertEqual(step.state, "approved")
        finance_step = doc.approval_request_ids.filtered(lambda r: r.state == "pending")
        doc.sudo().unlink()
        with self.assertRaisesRegex(UserError, "no longer exists"):
            finance_step.with_user(self.finance).action_approve()
