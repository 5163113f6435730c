import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import IntegrationMixin, SvcOpsCase


class TestInboxProcessing(IntegrationMixin, SvcOpsCase):
    """Stored events go through their route: processed, or failed, retried, dead, replayed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source, cls.secret = cls._make_source("processing", max_attempts=3)
        cls.inbox = cls.env["svc.inbox.event"]

    def _receive(self, event_id, data=None, event_type="svc.ping"):
        envelope = {
            "id": event_id,
            "type": event_type,
            "data": {"message": "hello"} if data is None else data,
        }
        self.assertTrue(
            self.inbox._store(
                self.source.id, self.source.company_id.id, event_id, event_type, json.dumps(envelope)
            )
        )
        return self.inbox.search([("source_id", "=", self.source.id), ("event_id", "=", event_id)])

    def test_ping_is_processed_and_linked_to_the_known_record(self):
        partner = self.env["res.partner"].create({"name": "Acme", "ref": "ACME-01"})
        plain = self._receive("p-1")
        linked = self._receive("p-2", {"message": "hi", "partner_ref": "ACME-01"})
        self.inbox._cron_process()
        self.assertEqual((plain.state, plain.attempts, plain.last_error), ("processed", 1, False))
        self.assertTrue(plain.processed_at)
        self.assertEqual(linked.state, "processed")
        self.assertEqual((linked.res_model, linked.res_id), ("res.partner", partner.id))
        self.assertEqual(linked.action_open_record()["res_id"], partner.id)

    def test_unknown_record_fails_retries_goes_dead_and_is_replayed(self):
        event = self._receive("p-3", {"message": "hi", "partner_ref": "NOPE-9"})
        self.inbox._cron_process()
        self.assertEqual((event.state, event.attempts), ("failed", 1))
        self.assertIn("No contact has the reference 'NOPE-9'", event.last_error)
        self.assertGreater(event.next_attempt_at, fields.Datetime.now(), "retried after a delay")
        self.inbox._cron_process()
        self.assertEqual(event.attempts, 1, "the cron respects the retry delay")

        event.with_user(self.ops_manager).action_process()
        self.assertEqual((event.state, event.attempts), ("failed", 2))
        first_delay = event.next_attempt_at
        event.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.inbox._cron_process()
        self.assertEqual((event.state, event.attempts), ("dead", 3), "dead after the source's max attempts")
        self.assertTrue(first_delay)

        exception = self.env["svc.exception"].search(
            [("res_model", "=", event._name), ("res_id", "=", event.id)]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(
            (exception.category, exception.severity, exception.state), ("integration", "high", "open")
        )
        self.assertEqual(exception.owner_id, self.ops_user, "owned by the source's responsible user")
        self.assertIn("NOPE-9", exception.message)
        self.assertEqual(exception.with_user(self.ops_user).action_open_record()["res_id"], event.id)

        with self.assertRaises(AccessError):
            event.with_user(self.ops_user).action_replay()
        self.env["res.partner"].create({"name": "Now known", "ref": "NOPE-9"})
        event.with_user(self.ops_manager).action_replay()
        self.assertEqual((event.state, event.attempts, event.last_error), ("processed", 1, False))
        self.assertEqual(exception.state, "resolved")

    def test_invalid_data_and_missing_route_fail_with_a_clear_message(self):
        bad = self._receive("p-4", {"partner_ref": "ACME-01"})
        self.env.ref("svc_ops_base.route_svc_ping").active = False
        unrouted = self._receive("p-5")
        self.env.ref("svc_ops_base.route_svc_ping").active = True
        bad._process()
        self.assertIn("non-empty text 'message'", bad.last_error)
        self.env.ref("svc_ops_base.route_svc_ping").active = False
        unrouted._process()
        self.assertEqual(unrouted.state, "failed")
        self.assertIn("No route handles events of type svc.ping", unrouted.last_error)

    def test_server_action_route_runs_with_the_event(self):
        event_type = self.env["svc.event.type"].create({"code": "contact.create", "name": "Create contact"})
        self.source.allowed_event_type_ids |= event_type
        action = self.env["ir.actions.server"].create(
            {
                "name": "Create the contact of the event",
                "model_id": self.env["ir.model"]._get_id("svc.inbox.event"),
                "state": "code",
                "code": "env['res.partner'].create({'name': record._event_data()['name']})",
            }
        )
        administrator = new_test_user(
            self.env, "svc_integration_admin", groups="base.group_system,svc_ops_base.group_ops_manager"
        )
        self.env["svc.inbox.route"].with_user(administrator).create(
            {"event_type_id": event_type.id, "handler_type": "server_action", "server_action_id": action.id}
        )
        event = self._receive("p-6", {"name": "Created by a route"}, event_type="contact.create")
        self.inbox._cron_process()
        self.assertEqual(event.state, "processed")
        self.assertTrue(self.env["res.partner"].search([("name", "=", "Created by a route")]))

    def test_queries_per_event_do_not_grow_with_the_batch(self):
        def queries_for(count, prefix):
            for n in range(count):
                self._receive(f"{prefix}-{n}")
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.inbox._cron_process()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        small, large = queries_for(10, "q10"), queries_for(40, "q40")
        per_event = (large - small) / 30
        self.assertLessEqual(per_event, 4, f"{small} queries for 10 events, {large} for 40")

    def test_retention_purges_only_old_processed_events(self):
        old, recent, failed = (
            self._receive("r-1"),
            self._receive("r-2"),
            self._receive("r-3", {"message": ""}),
        )
        (old | recent | failed)._process()
        old.processed_at = fields.Datetime.now() - timedelta(days=40)
        failed.write({"received_at": fields.Datetime.now() - timedelta(days=90)})
        self.env["ir.config_parameter"].set_param("svc_ops_base.integration_retention_days", "30")
        self.assertEqual(self.inbox._purge_old(), 1)
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists() | failed.exists(), recent | failed)
