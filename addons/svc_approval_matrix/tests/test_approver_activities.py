from datetime import timedelta

from odoo import fields

from .common import ApprovalCase


class TestApproverActivities(ApprovalCase):
    """Approvers are told once, by a to-do on the document, and it goes away when it is done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approval_type = cls.env.ref("svc_approval_matrix.mail_activity_type_approval")

    def _todos(self, documents, user=None):
        domain = [
            ("res_model", "=", documents._name),
            ("res_id", "in", documents.ids),
            ("activity_type_id", "=", self.approval_type.id),
        ]
        if user:
            domain.append(("user_id", "=", user.id))
        return self.env["mail.activity"].sudo().search(domain)

    def _done_messages(self, document):
        return document.sudo().message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.approval_type
        )

    def _pending(self, document):
        return document.approval_request_ids.filtered(lambda request: request.state == "pending")

    def test_each_approver_of_the_open_step_gets_one_todo_then_the_next_step_theirs(self):
        doc = self._document()
        doc.action_request_approval()
        todo = self._todos(doc)
        first = self._pending(doc)
        self.assertEqual(todo.user_id, self.approver, "only the first step's approver is told")
        self.assertEqual(todo.summary, f"Approve {doc.display_name}: Manager step")
        self.assertEqual(
            todo.date_deadline, fields.Date.context_today(todo, first.due_at), "due with the SLA"
        )
        self.assertEqual(first.approval_activity_ids, todo)
        self.assertEqual(todo.svc_approval_request_id, first)
        told = doc.sudo().message_ids.filtered(
            lambda message: self.approver.partner_id in message.partner_ids
        )
        self.assertEqual(len(told), 1, "told once, in their Inbox or by e-mail as they prefer")
        self.assertEqual(told.subject, todo.summary)

        doc.with_user(self.approver).action_approve(comment="Fine by me")
        self.assertFalse(self._todos(doc, self.approver), "the decided step's to-do is gone")
        done = self._done_messages(doc)
        self.assertEqual(len(done), 1, "the approver's own to-do is marked done, on the chatter")
        self.assertIn("Fine by me", done.body)
        second = self._pending(doc)
        todos = self._todos(doc)
        self.assertEqual(todos.user_id, self.finance | self.approver2, "the next step's approvers get theirs")
        self.assertEqual(len(todos), 2, "one each")
        told = doc.sudo().message_ids.filtered(lambda message: self.finance.partner_id in message.partner_ids)
        self.assertEqual(
            told.partner_ids, (self.finance | self.approver2).partner_id, "one message for the step"
        )
        self.assertEqual(todos.svc_approval_request_id, second)
        self.assertEqual(todos[0].date_deadline, fields.Date.context_today(todos[0], second.due_at))

    def test_a_co_approver_decides_and_the_step_is_done_for_everyone(self):
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        doc.with_user(self.approver2).action_approve()
        self.assertEqual(doc.approval_state, "approved")
        self.assertFalse(self._todos(doc), "finance's to-do went with approver2's decision")
        self.assertFalse(
            self._done_messages(doc).filtered(lambda message: "svc_finance" in (message.body or "")),
            "nothing is recorded as done by finance",
        )

    def test_dual_approval_keeps_the_other_approvers_todo_until_the_step_is_complete(self):
        self.policy.step_ids[1].min_approvals = 2
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        doc.with_user(self.finance).action_approve()
        self.assertEqual(self._todos(doc).user_id, self.approver2, "finance has done their part")
        doc.with_user(self.approver2).action_approve()
        self.assertFalse(self._todos(doc))

    def test_rejection_removes_the_todos(self):
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        doc.with_user(self.finance).action_reject("Over budget")
        self.assertEqual(doc.approval_state, "rejected")
        self.assertFalse(self._todos(doc))
        self.assertIn("Over budget", self._done_messages(doc)[0].body)

    def test_reset_opens_a_new_round_and_emergency_release_closes_the_todos(self):
        self.policy.reapprove_on_change = True
        doc = self._document()
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        doc.with_user(self.finance).action_approve()
        doc.manager_id = self.approver2  # a governed field: the approved document goes back
        self.assertEqual(doc.approval_state, "pending")
        self.assertEqual(self._todos(doc).user_id, self.approver2, "the new round's approver is told")
        doc.with_user(self.emergency_user).action_emergency_release("Client site down")
        self.assertFalse(self._todos(doc, self.approver2), "the cancelled step's to-do is gone")
        review = doc.approval_request_ids.filtered(lambda request: request.kind == "review")
        self.assertIn(self.policy_manager, self._todos(doc).user_id, "the post-event reviewers are told")
        self.assertEqual(self._todos(doc).svc_approval_request_id, review)
        doc.with_user(self.policy_manager).action_approve()
        self.assertFalse(self._todos(doc))

    def test_a_delegation_that_starts_later_moves_the_open_todos(self):
        doc = self._document()
        doc.action_request_approval()
        self.assertEqual(self._todos(doc).user_id, self.approver)
        today = fields.Date.context_today(self.env["svc.approval.delegation"])
        delegation = (
            self.env["svc.approval.delegation"]
            .with_user(self.approver)
            .create({"delegate_id": self.stranger.id, "date_from": today + timedelta(days=1),
                     "date_to": today + timedelta(days=5)})
        )  # fmt: skip
        self.assertEqual(self._todos(doc).user_id, self.approver, "not away yet")
        delegation.date_from = today
        self.assertEqual(
            self._todos(doc).user_id, self.stranger, "the delegate decides now: the to-do is theirs"
        )
        other = self._document()
        other.action_request_approval()
        self.assertEqual(self._todos(other).user_id, self.stranger, "submitted while away: to the delegate")
        delegation.active = False
        self.assertEqual(
            self._todos(doc | other).user_id, self.approver, "back from the delegate once it is over"
        )
        self.assertEqual(len(self._todos(doc | other)), 2)
        delegation.active = True
        doc.with_user(self.stranger).action_approve()
        self.assertFalse(self._todos(doc, self.stranger))
        self.assertFalse(self._todos(doc, self.approver))

    def test_the_daily_job_hands_over_on_the_first_day_and_back_after_the_last(self):
        doc = self._document()
        doc.action_request_approval()
        today = fields.Date.context_today(self.env["svc.approval.delegation"])
        delegation = self.env["svc.approval.delegation"].create(
            {"delegator_id": self.approver.id, "delegate_id": self.stranger.id,
             "date_from": today + timedelta(days=1), "date_to": today + timedelta(days=2)}
        )  # fmt: skip
        Delegation = self.env["svc.approval.delegation"]
        # the calendar moves on: the delegation starts today (as the job sees it on its first day)
        self.env.cr.execute(
            "UPDATE svc_approval_delegation SET date_from = %s, date_to = %s WHERE id = %s",
            [today, today, delegation.id],
        )
        self.env.invalidate_all()
        Delegation._cron_move_activities()
        self.assertEqual(self._todos(doc).user_id, self.stranger)
        self.env.cr.execute(
            "UPDATE svc_approval_delegation SET date_from = %s, date_to = %s WHERE id = %s",
            [today - timedelta(days=2), today - timedelta(days=1), delegation.id],
        )
        self.env.invalidate_all()
        Delegation._cron_move_activities()
        self.assertEqual(self._todos(doc).user_id, self.approver, "ended yesterday: back to the approver")

    def test_the_requester_never_gets_the_approvers_todo(self):
        doc = self._document(user=self.finance)
        doc.action_request_approval()
        doc.with_user(self.approver).action_approve()
        self.assertEqual(self._todos(doc).user_id, self.approver2, "finance requested it: not theirs")
        # the approver delegates to the requester: the to-do stays with the approver
        today = fields.Date.context_today(self.env["svc.approval.delegation"])
        self.env["svc.approval.delegation"].create(
            {"delegator_id": self.approver.id, "delegate_id": self.requester.id, "date_from": today,
             "date_to": today}
        )  # fmt: skip
        mine = self._document()
        mine.action_request_approval()
        self.assertEqual(self._todos(mine).user_id, self.approver)
        self.assertFalse(self._todos(mine | doc, self.requester))

    def test_documents_without_activities_are_skipped(self):
        self.env["svc.approval.policy"].create(
            {"name": "Plain", "model_id": self.plain_model.id, "amount_min": 0,
             "step_ids": [(0, 0, {"name": "Manager", "approver_type": "user",
                                  "user_ids": [(6, 0, self.approver.ids)]})]}
        )  # fmt: skip
        doc = self.env["svc.approval.test.plain"].with_user(self.requester).create({"name": "P", "amount": 5})
        doc.action_request_approval()
        self.assertEqual(doc.approval_state, "pending")
        self.assertFalse(self._pending(doc).approval_activity_ids)
        doc.with_user(self.approver).action_approve()
        self.assertEqual(doc.approval_state, "approved")

    def test_a_batch_submit_creates_every_todo_in_a_bounded_number_of_queries(self):
        Document = self.env["svc.approval.test.document"].with_user(self.requester)

        def submit(count):
            docs = Document.create(
                [
                    {"name": f"Q{count}-{i}", "amount": 2000, "manager_id": self.approver.id}
                    for i in range(count)
                ]
            )
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            docs.action_request_approval()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, docs

        submit(2)  # warms the caches (activity type, ir.model, followers' subtypes)
        few, _docs = submit(5)
        many, docs = submit(50)
        self.assertEqual(len(self._todos(docs)), 50, "one to-do per document and approver")
        told = self.env["mail.message"].search(
            [
                ("model", "=", docs._name),
                ("res_id", "in", docs.ids),
                ("partner_ids", "in", self.approver.partner_id.ids),
            ]
        )
        self.assertEqual(len(told), 1, "the approver is told once for the whole batch")
        self.assertEqual(told.subject, "50 approvals wait for you")
        self.assertIn("and 20 more", told.body)
        self.assertLessEqual(many, few + 2, f"50 documents cost {many} queries, 5 cost {few}")
