import threading
import time
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import SvcOpsHttpCase


@tagged("post_install", "-at_install")
class TestWebhookInbox(SvcOpsHttpCase):
    """POST /svc/webhook/<code> over real HTTP: every answer is JSON with the contract's code."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source, cls.secret = cls._make_source("partner-portal", max_payload_size=2048)
        cls.inbox = cls.env["svc.inbox.event"]

    def _send(
        self, event_id="evt-1", body=None, secret=None, code="partner-portal", now=None, **header_overrides
    ):
        body = self._body(event_id) if body is None else body
        headers = self._headers(secret or self.secret, body, event_id=event_id, now=now)
        headers.update(header_overrides)
        headers = {key: value for key, value in headers.items() if value is not None}
        response = self._post(code, body, headers)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        answer = response.json()
        self.assertEqual(set(answer), {"status", "event", "error"})
        return response.status_code, answer

    def _events(self, event_id=None):
        domain = [("source_id", "=", self.source.id)]
        if event_id:
            domain.append(("event_id", "=", event_id))
        return self.inbox.search(domain)

    def test_valid_event_is_stored_and_accepted(self):
        status, answer = self._send("evt-1")
        self.assertEqual((status, answer), (202, {"status": "accepted", "event": "evt-1", "error": None}))
        event = self._events("evt-1")
        self.assertEqual(len(event), 1)
        self.assertEqual((event.state, event.event_type, event.attempts), ("received", "svc.ping", 0))
        self.assertEqual(event.payload["data"], {"message": "hello"})
        self.assertEqual(event.company_id, self.source.company_id)
        self.assertEqual(self.source.failure_count, 0)

    def test_duplicate_creates_nothing(self):
        self.assertEqual(self._send("evt-dup")[0], 202)
        status, answer = self._send("evt-dup")
        self.assertEqual((status, answer["status"], answer["event"]), (200, "duplicate", "evt-dup"))
        self.assertEqual(len(self._events("evt-dup")), 1)

    def test_concurrent_duplicates_store_one_event(self):
        body = self._body("evt-race")
        headers = self._headers(self.secret, body, event_id="evt-race")
        url = f"{self.base_url()}/svc/webhook/partner-portal"
        self.env.flush_all()
        statuses = []

        def deliver():
            statuses.append(requests.post(url, data=body, headers=headers, timeout=30).status_code)

        threads = [threading.Thread(target=deliver) for _i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(statuses), [200, 200, 200, 202])
        self.assertEqual(len(self._events("evt-race")), 1)

    def test_bad_or_missing_signature_is_refused_and_changes_nothing(self):
        """Anyone can post: an unsigned request only reaches the rate-limited refusal log."""
        status, answer = self._send("evt-2", secret="not-the-secret")
        self.assertEqual((status, answer["status"]), (401, "unauthorized"))
        self.assertEqual(self._send("evt-2", **{"X-Svc-Signature": None})[0], 401)
        self.assertEqual(self._send("evt-2", **{"X-Svc-Timestamp": None})[0], 401)
        self.assertEqual(self._send("evt-2", **{"X-Svc-Timestamp": "yesterday"})[0], 401)
        self.assertFalse(self._events("evt-2"))
        self.source.invalidate_recordset()
        self.assertEqual(self.source.failure_count, 0)
        self.assertFalse(self.source.last_failure_at)
        self.assertFalse(self.source.last_failure_reason)

    def test_stale_timestamp_is_refused(self):
        status, answer = self._send("evt-old", now=time.time() - 301)
        self.assertEqual((status, answer["status"]), (401, "unauthorized"))
        self.assertIn("Stale", answer["error"])
        self.assertEqual(self._send("evt-future", now=time.time() + 400)[0], 401)
        self.assertEqual(self._send("evt-recent", now=time.time() - 200)[0], 202)

    def test_malformed_bodies_are_refused(self):
        cases = {
            "not json": b"{not json",
            "not an object": b'["evt", "svc.ping"]',
            "no id": b'{"type": "svc.ping", "data": {}}',
            "empty id": b'{"id": " ", "type": "svc.ping", "data": {}}',
            "no type": b'{"id": "evt-3", "data": {}}',
            "data not an object": b'{"id": "evt-3", "type": "svc.ping", "data": [1]}',
            "NaN": b'{"id": "evt-3", "type": "svc.ping", "data": {"x": NaN}}',
            "NUL": b'{"id": "evt-3", "type": "svc.ping", "data": {"x": "\\u0000"}}',
            "lone surrogate": b'{"id": "evt-3", "type": "svc.ping", "data": {"x": "\\ud800"}}',
            "not utf-8": b'{"id": "evt-3", "type": "svc.ping", "data": {"x": "\xff"}}',
            "empty body": b"",
        }
        for label, body in cases.items():
            with self.subTest(label):
                status, answer = self._send(None, body=body)
                self.assertEqual((status, answer["status"]), (400, "malformed"), label)
        status, answer = self._send("evt-3", body=self._body("evt-4"))
        self.assertEqual((status, answer["status"]), (400, "malformed"), "X-Svc-Event-Id must equal the id")
        self.assertFalse(self._events())
        self.source.invalidate_recordset()
        self.assertEqual(self.source.failure_count, len(cases) + 1)

    def test_oversized_body_is_refused(self):
        body = self._body("evt-big", data={"message": "x" * 3000})
        status, answer = self._send("evt-big", body=body)
        self.assertEqual((status, answer["status"]), (413, "too_large"))
        self.assertFalse(self._events("evt-big"))
        self.source.invalidate_recordset()
        self.assertEqual(self.source.failure_count, 0, "an oversized body is not authenticated: not counted")

    def test_unknown_or_archived_source_is_not_found(self):
        status, answer = self._send("evt-5", code="nobody")
        self.assertEqual((status, answer["status"]), (404, "unknown_source"))
        self.source.with_user(self.ops_manager).active = False
        self.assertEqual(self._send("evt-5")[0], 404)
        self.assertEqual(self.source.failure_count, 0, "404s are not counted: there is no source to count on")

    def test_event_type_not_allowed_for_the_source(self):
        self.env["svc.event.type"].create({"code": "svc.test.unlisted", "name": "Not allowed here"})
        body = self._body("evt-6", event_type="svc.test.unlisted")
        status, answer = self._send("evt-6", body=body)
        self.assertEqual((status, answer), (422, {"status": "type_not_allowed", "event": "evt-6",
                                                  "error": "Event type 'svc.test.unlisted' is not allowed for this source."}))  # fmt: skip
        self.assertFalse(self._events("evt-6"))
        self.source.invalidate_recordset()
        self.assertEqual((self.source.failure_count, self.source.last_failure_reason[:3]), (1, "422"))

    def test_source_changes_apply_to_the_next_request(self):
        """The webhook reads sources from a cache: every change that matters clears it."""
        ping = self.env.ref("svc_ops_base.event_type_svc_ping")
        source = self.source.with_user(self.ops_manager)
        self.assertEqual(self._send("evt-c1")[0], 202)
        source.allowed_event_type_ids = [(3, ping.id)]
        self.assertEqual(self._send("evt-c2")[0], 422, "the type is no longer allowed")
        source.write({"allowed_event_type_ids": [(4, ping.id)], "max_payload_size": 10})
        self.assertEqual(self._send("evt-c3")[0], 413, "the new size limit applies")
        source.max_payload_size = 2048
        self.assertEqual(self._send("evt-c4")[0], 202)
        ping.with_user(self.ops_manager).active = False
        self.assertEqual(self._send("evt-c5")[0], 422, "an archived event type is not allowed")
        ping.with_user(self.ops_manager).active = True
        source.code = "partner-portal-2"
        self.assertEqual(self._send("evt-c6")[0], 404, "the old code is gone")
        self.assertEqual(self._send("evt-c6", code="partner-portal-2")[0], 202)

    def test_wrong_method_answers_json(self):
        self.env.flush_all()
        response = self.opener.get(f"{self.base_url()}/svc/webhook/partner-portal", timeout=30)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["status"], "method_not_allowed")
        self.source.invalidate_recordset()
        self.assertEqual(self.source.failure_count, 0, "a wrong method is not authenticated: not counted")

    def test_form_encoded_body_is_verified_on_its_raw_bytes(self):
        body = b"id=evt-7&type=svc.ping"
        headers = self._headers(self.secret, body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self._post("partner-portal", body, headers)
        self.assertEqual((response.status_code, response.json()["status"]), (400, "malformed"))

    def test_previous_secret_stays_valid_during_the_grace_period(self):
        old_secret = self.secret
        action = self.source.with_user(self.ops_manager).action_rotate_secret()
        new_secret = self.env[action["res_model"]].with_user(self.ops_manager).browse(action["res_id"]).secret
        self.assertNotEqual(new_secret, old_secret)
        self.assertEqual(self._send("evt-new", secret=new_secret)[0], 202)
        self.assertEqual(self._send("evt-old-secret", secret=old_secret)[0], 202)
        self.source.sudo().previous_secret_valid_until = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(self._send("evt-too-late", secret=old_secret)[0], 401)

    def test_the_secret_is_shown_once_and_only_to_its_generator(self):
        action = self.source.with_user(self.ops_manager).action_rotate_secret()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        other_manager = new_test_user(
            self.env, "svc_ops_manager2", groups="base.group_user,svc_ops_base.group_ops_manager"
        )
        self.assertFalse(wizard.with_user(other_manager).search([("id", "=", wizard.id)]))
        self.assertFalse(
            "secret" in self.source.with_user(self.ops_manager).fields_get(),
            "the stored secret is for admins only",
        )

    def test_source_and_secret_over_xmlrpc(self):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "svc_ops_manager", "svc_ops_manager", {})
        ping = self.env.ref("svc_ops_base.event_type_svc_ping")
        call = self.xmlrpc_object.execute_kw
        db, password = self.env.cr.dbname, "svc_ops_manager"
        source_id = call(db, uid, password, "svc.integration.source", "create",
                         [{"name": "RPC", "code": "rpc", "allowed_event_type_ids": [(6, 0, ping.ids)]}])  # fmt: skip
        action = call(db, uid, password, "svc.integration.source", "action_rotate_secret", [[source_id]])
        [wizard] = call(db, uid, password, action["res_model"], "read", [[action["res_id"]], ["secret"]])
        status, answer = self._send("evt-rpc", code="rpc", secret=wizard["secret"])
        self.assertEqual((status, answer["status"]), (202, "accepted"))
        [event] = call(db, uid, password, "svc.inbox.event", "search_read",
                       [[["source_id", "=", source_id]]], {"fields": ["event_id", "state"]})  # fmt: skip
        self.assertEqual((event["event_id"], event["state"]), ("evt-rpc", "received"))
        call(db, uid, password, "svc.inbox.event", "action_process", [[event["id"]]])
        [event] = call(db, uid, password, "svc.inbox.event", "read", [[event["id"]], ["state"]])
        self.assertEqual(event["state"], "processed")
