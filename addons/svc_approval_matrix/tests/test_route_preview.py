import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import Cursor

from .common import ApprovalCase


class TestRoutePreview(ApprovalCase):
    """`svc.approval.policy.preview` says who would approve a document and why, before the
    submission creates that route, and writes nothing."""

    def _preview(self, documents, user=None):
        policies = self.env["svc.approval.policy"].with_user(user or self.requester)
        return policies.preview(documents._name, documents.ids)

    def _names(self, users):
        return sorted(user["name"] for user in users)

    def test_preview_is_the_route_the_submission_creates(self):
        document = self._document(5000)
        [route] = self._preview(document)
        self.assertEqual(route["res_id"], document.id)
        self.assertEqual(route["policy"]["id"], self.policy.id)
        self.assertTrue(
            any("[1000.0, no limit)" in why for why in route["policy"]["why"]), route["policy"]["why"]
        )
        self.assertEqual([step["name"] for step in route["steps"]], ["Manager", "Finance"])
        self.assertEqual([step["sla_hours"] for step in route["steps"]], [8, 24])
        self.assertEqual(self._names(route["steps"][0]["approvers"]), [self.approver.name])
        self.assertEqual(
            self._names(route["steps"][1]["approvers"]), sorted([self.finance.name, self.approver2.name])
        )
        self.assertTrue(all(step["enough_approvers"] for step in route["steps"]))

        document.action_request_approval()
        self.assertEqual(document.approval_policy_id, self.policy)
        requests = document.approval_request_ids.sorted("sequence")
        self.assertEqual(requests.mapped("name"), ["Manager", "Finance"])
        self.assertEqual(requests[0].approver_ids.ids, [a["id"] for a in route["steps"][0]["approvers"]])
        document.with_user(self.approver).action_approve()
        self.assertEqual(
            sorted(requests[1].approver_ids.ids), sorted(a["id"] for a in route["steps"][1]["approvers"])
        )

    def test_a_document_no_policy_matches_says_why(self):
        document = self._document(500)
        [route] = self._preview(document)
        self.assertFalse(route["policy"])
        self.assertEqual(route["steps"], [])
        [other] = route["not_matched"]
        self.assertEqual((other["id"], other["reason_code"]), (self.policy.id, "below"))
        self.assertIn("below", other["reason"])
        document.action_request_approval()
        self.assertEqual(document.approval_state, "not_required")

    def test_each_policy_that_does_not_match_gives_its_first_reason(self):
        other_company = self.env["res.company"].create({"name": "Preview Other Co"})
        policies = self.env["svc.approval.policy"]
        elsewhere = policies.create({"name": "Elsewhere", "model_id": self.model.id, "sequence": 1,
                                     "company_id": other_company.id})  # fmt: skip
        urgent = policies.create({"name": "Urgent", "model_id": self.model.id, "sequence": 2,
                                  "domain": "[('name', 'ilike', 'urgent')]"})  # fmt: skip
        small = policies.create(
            {"name": "Small", "model_id": self.model.id, "sequence": 3, "amount_max": 2000}
        )
        later = policies.create({"name": "Catch-all", "model_id": self.model.id, "sequence": 50})
        document = self._document(5000)
        [route] = self.env["svc.approval.policy"].preview(document._name, document.ids)
        self.assertEqual(route["policy"]["id"], self.policy.id)
        reasons = {other["id"]: other["reason_code"] for other in route["not_matched"]}
        self.assertEqual(
            reasons,
            {elsewhere.id: "company", urgent.id: "domain", small.id: "above", later.id: "shadowed"},
        )
        # the requester does not even see the policies of a company they do not work for
        [route] = self._preview(document)
        self.assertNotIn(elsewhere.id, [other["id"] for other in route["not_matched"]])

    def test_delegates_standing_in_today_are_shown(self):
        today = fields.Date.context_today(self.env.user)
        self.env["svc.approval.delegation"].create(
            {"delegator_id": self.approver.id, "delegate_id": self.stranger.id,
             "date_from": today, "date_to": today + timedelta(days=3)}
        )  # fmt: skip
        [route] = self._preview(self._document(5000))
        [manager] = route["steps"][0]["approvers"]
        self.assertEqual([d["id"] for d in manager["delegates"]], [self.stranger.id])
        self.assertEqual(route["steps"][1]["approvers"][0]["delegates"], [])

    def test_a_submitted_document_shows_its_frozen_steps(self):
        document = self._document(5000)
        document.action_request_approval()
        [route] = self._preview(document)
        self.assertEqual(route["approval_state"], "pending")
        self.assertEqual([step["state"] for step in route["in_flight"]], ["pending", "waiting"])
        self.assertTrue(route["note"])

    def test_preview_writes_nothing(self):
        documents = self._document(5000) | self._document(500) | self._document(2000)
        self.env.flush_all()
        statements, execute = [], Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(str(query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            routes = self._preview(documents)
            self.env.flush_all()
        self.assertEqual([route["res_id"] for route in routes], documents.ids)
        writes = [sql for sql in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", sql, re.IGNORECASE)]
        self.assertEqual(writes, [])
        self.assertEqual(set(documents.mapped("approval_state")), {"not_required"})

    def test_bad_arguments_are_refused_clearly(self):
        policies = self.env["svc.approval.policy"].with_user(self.requester)
        document = self._document(5000)
        for res_model, res_ids, message in [
            ("no.such.model", document.ids, "not a document model"),
            (None, document.ids, "not a document model"),
            ("res.partner", [self.requester.partner_id.id], "not governed"),
            ("svc.approval.mixin", document.ids, "not governed"),
            (document._name, [], "give the ids"),
            (document._name, "garbage", "list of record ids"),
            (document._name, [document.id, 2_000_000_000], "2000000000"),
            (document._name, [10**30], "no Governed Test Document"),
        ]:
            with (
                self.subTest(res_model=res_model, res_ids=res_ids),
                self.assertRaisesRegex(UserError, message),
            ):
                policies.preview(res_model, res_ids)

    def test_approval_route_dialog_shows_the_preview(self):
        document = self._document(5000, name="<b>DOC</b>")
        wizard = (
            self.env["svc.approval.route.wizard"]
            .with_user(self.requester)
            .with_context(active_model=document._name, active_ids=document.ids)
            .create({})
        )
        html = str(wizard.route_html)
        for text in ("Above 1,000", "Manager", "Finance", self.approver.name, "8.0 h"):
            self.assertIn(text, html)
        self.assertIn("&lt;b&gt;DOC&lt;/b&gt;", html)
        self.assertNotIn("<b>DOC</b>", html)
        action = self.env.ref("svc_approval_matrix.action_svc_approval_route_preview")
        self.assertEqual(action.res_model, "svc.approval.route.wizard")
