"""Approve or reject from the e-mail, over real HTTP: the link opens a confirmation page,
the POST decides through the engine; a used, expired, forged or another person's link gets
a clear page and changes nothing."""

import re

from odoo.tests import HttpCase, tagged

from odoo.addons.svc_approval_matrix.models.svc_approval_decision_link import LINK_DAYS_PARAM

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestDecisionLink(HttpCase):
    def setUp(self):
        super().setUp()
        self.request = self.env["svc.material.request"].search(
            [("approval_state", "=", "pending"), ("state", "=", "to_approve")], limit=1
        )
        self.step = self.request.approval_request_ids.filtered(lambda step: step.state == "pending")
        self.approver = self.env.ref("svc_approval_matrix.demo_user_approver")
        self.assertIn(self.approver, self.step.approver_ids, "the demo request waits for the approver")

    def _open(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def _post(self, page, **data):
        csrf = CSRF.search(page)
        self.assertTrue(csrf, "the confirmation page carries a CSRF token")
        response = self.url_open("/svc/approval/decide", data=dict(data, csrf_token=csrf.group(1)))
        self.assertEqual(response.status_code, 200)
        return response.text

    def _token(self, url):
        return re.search(r"token=([^&]+)", url).group(1)

    def test_approve_from_the_link_then_the_link_is_used(self):
        urls = self.step._svc_decision_urls(self.approver)
        self.authenticate("approver", "approver")
        page = self._open(urls["approve"])
        self.assertIn("o_svc_decision_form", page)
        self.assertIn(self.request.name, page)
        self.assertEqual(self.request.state, "to_approve", "opening the link decides nothing")
        done = self._post(
            page, token=self._token(urls["approve"]), decision="approve", comment="From my phone"
        )
        self.assertIn("o_svc_decision_done", done)
        self.env.invalidate_all()
        self.assertEqual(self.step.state, "approved")
        self.assertEqual(self.step.decided_by_id, self.approver)
        log = self.request.approval_log_ids.filtered(lambda line: line.event == "approved")
        self.assertEqual((log.user_id, log.comment), (self.approver, "From my phone"))
        again = self._open(urls["approve"])
        self.assertIn("already decided", again)
        self.assertNotIn("o_svc_decision_form", again)

    def test_reject_needs_a_reason_and_then_rejects(self):
        urls = self.step._svc_decision_urls(self.approver)
        self.authenticate("approver", "approver")
        page = self._open(urls["reject"])
        refused = self._post(page, token=self._token(urls["reject"]), decision="reject", comment="  ")
        self.assertIn("Say why you reject", refused)
        self.env.invalidate_all()
        self.assertEqual(self.request.state, "to_approve")
        done = self._post(
            refused, token=self._token(urls["reject"]), decision="reject", comment="Wrong project"
        )
        self.assertIn("o_svc_decision_done", done)
        self.env.invalidate_all()
        self.assertEqual((self.request.state, self.request.rejection_reason), ("rejected", "Wrong project"))

    def test_forged_expired_and_another_persons_links_change_nothing(self):
        urls = self.step._svc_decision_urls(self.approver)
        token = self._token(urls["approve"])
        forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
        self.authenticate("approver", "approver")
        for bad in (forged, "garbage", f"{self.step.id}.{self.approver.id}.9999999999.abc", ""):
            page = self._open(f"/svc/approval/decide?token={bad}&decision=approve")
            self.assertIn("not a valid approval link", page)
        valid_page = self._open(urls["approve"])
        self.assertIn("not a valid approval link", self._post(valid_page, token=forged, decision="approve"))
        self.env["ir.config_parameter"].sudo().set_param(LINK_DAYS_PARAM, "-1")
        expired = self.step._svc_decision_urls(self.approver)["approve"]
        self.assertIn("link expired on", self._open(expired))
        self.authenticate("requester", "requester")
        page = self._open(urls["approve"])
        self.assertIn("This link was sent to", page)
        self.env.invalidate_all()
        self.assertEqual((self.step.state, self.request.state), ("pending", "to_approve"))

    def test_a_stranger_posting_a_valid_link_of_someone_else_is_refused(self):
        urls = self.step._svc_decision_urls(self.approver)
        self.authenticate("requester", "requester")
        home = self.url_open("/web").text
        csrf = re.search(r'csrf_token: "([^"]+)"', home)
        data = {"token": self._token(urls["approve"]), "decision": "approve"}
        if csrf:
            data["csrf_token"] = csrf.group(1)
        page = self.url_open("/svc/approval/decide", data=data).text
        self.assertNotIn("o_svc_decision_done", page)
        self.env.invalidate_all()
        self.assertEqual(self.step.state, "pending")

    def test_the_approvers_to_do_carries_the_links(self):
        self.step._svc_open_activities()  # a database installed before the to-dos existed has none
        activity = self.env["mail.activity"].search(
            [("svc_approval_request_id", "=", self.step.id), ("user_id", "=", self.approver.id)]
        )
        self.assertEqual(len(activity), 1, "the approver has one to-do for the step")
        approve = re.search(r'href="([^"]+decision=approve)"', str(activity.note))
        self.assertTrue(approve, "the to-do carries the Approve link")
        self.authenticate("approver", "approver")
        url = approve.group(1).replace("&amp;", "&")
        page = self._open(url[url.index("/svc/approval/decide") :])
        self.assertIn("o_svc_decision_form", page)
