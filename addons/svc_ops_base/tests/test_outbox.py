import json
from datetime import timedelta
from unittest.mock import patch

import requests

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase

from odoo.addons.svc_ops_base.models import svc_outbox_event as outbox_module
from odoo.addons.svc_ops_base.models.signing import is_fresh, parse_timestamp, verify

from .common import IntegrationMixin, StandIn, SvcOpsCase


class OutboxCase(IntegrationMixin, SvcOpsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ping = cls.env.ref("svc_ops_base.event_type_svc_ping")
        cls.outbox = cls.env["svc.outbox.event"]
        # The stand-in receivers listen on 127.0.0.1: an administrator allows that host.
        cls.env["ir.config_parameter"].sudo().set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
        cls.partner_a = cls.env["res.partner"].create({"name": "Site A"})
        cls.partner_b = cls.env["res.partner"].create({"name": "Site B"})

    def _endpoint(self, url, **values):
        return (
            self.env["svc.webhook.endpoint"]
            .with_user(self.ops_manager)
            .create(dict({"name": "Stand-in", "url": url, "event_type_ids": [(6, 0, self.ping.ids)],
                          "timeout": 0.5, "responsible_user_id": self.ops_user.id}, **values))
        )  # fmt: skip

    def _due_now(self, rows):
        rows.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})


class TestOutbox(OutboxCase):
    """Publishing writes rows in the transaction; delivery is signed, retried, ordered."""

    def test_publish_writes_one_row_per_subscribed_active_endpoint_of_the_company(self):
        subscribed = self._endpoint("http://127.0.0.1:9/a")
        also = self._endpoint("http://127.0.0.1:9/b", name="Second")
        self._endpoint("http://127.0.0.1:9/c", name="Other type", event_type_ids=[(6, 0, [])])
        self._endpoint("http://127.0.0.1:9/d", name="Archived", active=False)
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.env["svc.webhook.endpoint"].create(
            {"name": "Other company", "url": "http://127.0.0.1:9/e", "company_id": other_company.id,
             "event_type_ids": [(6, 0, self.ping.ids)]}
        )  # fmt: skip
        rows = self.outbox.with_user(self.ops_user)._publish(
            "svc.ping", self.partner_a, {"message": "hi", "when": fields.Date.today()}
        )
        self.assertEqual(rows.sudo().endpoint_id, subscribed | also)
        self.assertEqual(
            len(set(rows.sudo().mapped("event_uuid"))), 1, "one event, one id for every endpoint"
        )
        row = rows.sudo()[0]
        self.assertEqual(
            (row.state, row.res_model, row.res_id, row.record_name),
            ("pending", "res.partner", self.partner_a.id, "Site A"),
        )
        self.assertEqual(row.payload, {"message": "hi", "when": fields.Date.to_string(fields.Date.today())})
        self.assertFalse(self.outbox._publish("nobody.listens", self.partner_a, {}), "no subscriber, no row")

    def test_publish_many_gives_each_record_its_own_event_per_company_endpoint(self):
        endpoint = self._endpoint("http://127.0.0.1:9/a")
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other_endpoint = self.env["svc.webhook.endpoint"].create(
            {"name": "Other company", "url": "http://127.0.0.1:9/e", "company_id": other_company.id,
             "event_type_ids": [(6, 0, self.ping.ids)]}
        )  # fmt: skip
        self.partner_b.company_id = other_company
        rows = (
            self.outbox.with_user(self.ops_user)
            ._publish_many(
                "svc.ping", [(self.partner_a, {"message": "a"}), (self.partner_b, {"message": "b"})]
            )
            .sudo()
        )
        self.assertEqual(
            {(row.res_id, row.endpoint_id, row.payload["message"]) for row in rows},
            {(self.partner_a.id, endpoint, "a"), (self.partner_b.id, other_endpoint, "b")},
        )
        self.assertEqual(len(set(rows.mapped("event_uuid"))), 2, "one event id per record")
        self.assertFalse(self.outbox._publish_many("nobody.listens", [(self.partner_a, {})]))

    def test_failure_then_timeout_then_success_with_a_valid_signature(self):
        with StandIn(slow_seconds=1.5) as stand_in:
            endpoint = self._endpoint(stand_in.url)
            stand_in.script = ["500", "timeout"]
            row = self.outbox._publish("svc.ping", self.partner_a, {"message": "hi"}).sudo()

            self.assertEqual(self.outbox._claim_due(10), row)
            row._deliver()
            self.assertEqual((row.state, row.attempts, row.last_status_code), ("failed", 1, 500))
            self.assertIn("HTTP 500", row.last_error)
            self.assertGreater(row.next_attempt_at, fields.Datetime.now())
            self.assertFalse(self.outbox._claim_due(10), "not due during its backoff")

            self._due_now(row)
            self.outbox._cron_deliver()
            self.assertEqual((row.state, row.attempts, row.last_status_code), ("failed", 2, 0))
            self.assertIn("No answer within 0.5 seconds", row.last_error)

            self._due_now(row)
            self.outbox._cron_deliver()
            self.assertEqual((row.state, row.attempts, row.last_status_code), ("sent", 3, 200))
            self.assertTrue(row.sent_at)
            self.assertFalse(row.last_error)

        self.assertEqual(len(stand_in.requests), 3)
        self.assertEqual(
            len({request["body"] for request in stand_in.requests}), 1, "every retry sends the same body"
        )
        received = stand_in.requests[-1]
        timestamp = parse_timestamp(received["headers"]["X-Svc-Timestamp"])
        self.assertTrue(is_fresh(timestamp))
        self.assertTrue(
            verify(
                [endpoint.sudo().secret], timestamp, received["body"], received["headers"]["X-Svc-Signature"]
            )
        )
        self.assertFalse(
            verify(["wrong"], timestamp, received["body"], received["headers"]["X-Svc-Signature"])
        )
        body = json.loads(received["body"])
        self.assertEqual(received["headers"]["X-Svc-Event-Id"], body["id"])
        self.assertEqual(body["id"], row.event_uuid)
        self.assertEqual(body["type"], "svc.ping")
        self.assertEqual(body["record"], {"model": "res.partner", "id": self.partner_a.id, "name": "Site A"})
        self.assertEqual(body["company"], {"id": self.env.company.id, "name": self.env.company.name})
        self.assertEqual(body["data"], {"message": "hi"})
        self.assertTrue(body["occurred_at"].endswith("Z"))

    def test_client_error_is_dead_at_once_with_an_owned_exception_then_replayed(self):
        with StandIn() as stand_in:
            endpoint = self._endpoint(stand_in.url)
            stand_in.script = ["404"]
            row = self.outbox._publish("svc.ping", self.partner_a, {"message": "hi"}).sudo()
            self.outbox._cron_deliver()
            self.assertEqual((row.state, row.attempts, row.last_status_code), ("dead", 1, 404))
            exception = self.env["svc.exception"].search(
                [("res_model", "=", row._name), ("res_id", "=", row.id)]
            )
            self.assertEqual(
                (exception.category, exception.owner_id, exception.state),
                ("integration", self.ops_user, "open"),
            )
            self.assertIn(endpoint.name, exception.message)
            self.assertEqual(endpoint.dead_count, 1)

            with self.assertRaises(AccessError):
                row.with_user(self.ops_user).action_replay()
            row.with_user(self.ops_manager).action_replay()
            self.assertEqual((row.state, row.attempts), ("pending", 0))
            self.assertEqual(exception.state, "resolved")
            self.outbox._cron_deliver()
            self.assertEqual(row.state, "sent")

    def test_rate_limit_and_server_errors_retry_until_max_attempts(self):
        with StandIn() as stand_in:
            self._endpoint(stand_in.url, max_attempts=2)
            stand_in.script = ["429", "503"]
            row = self.outbox._publish("svc.ping", self.partner_a, {"message": "hi"}).sudo()
            self.outbox._cron_deliver()
            self.assertEqual((row.state, row.last_status_code), ("failed", 429))
            self._due_now(row)
            self.outbox._cron_deliver()
            self.assertEqual((row.state, row.attempts, row.last_status_code), ("dead", 2, 503))
            self.assertTrue(
                self.env["svc.exception"].search([("res_model", "=", row._name), ("res_id", "=", row.id)])
            )

    def test_connection_refused_is_retried(self):
        with StandIn() as stand_in:
            url = stand_in.url
        self._endpoint(url)  # the stand-in is gone: nothing listens on that port any more
        row = self.outbox._publish("svc.ping", self.partner_a, {"message": "hi"}).sudo()
        self.outbox._cron_deliver()
        self.assertEqual((row.state, row.attempts), ("failed", 1))
        self.assertIn("Connection failed", row.last_error)

    def test_rows_of_one_record_are_delivered_in_order(self):
        with StandIn() as stand_in:
            self._endpoint(stand_in.url)
            a1, a2, a3 = (
                self.outbox._publish("svc.ping", self.partner_a, {"message": f"a{n}"}).sudo()
                for n in (1, 2, 3)
            )
            b1 = self.outbox._publish("svc.ping", self.partner_b, {"message": "b1"}).sudo()
            self.assertEqual(self.outbox._claim_due(10), a1 | b1, "a newer row waits for the older one")
            stand_in.script = ["500"]
            (a1 | b1)._deliver()
            self.assertEqual((a1.state, b1.state), ("failed", "sent"))
            self._due_now(a2 | a3)
            self.assertFalse(self.outbox._claim_due(10), "a2 waits while a1 is retrying")
            self._due_now(a1)
            self.outbox._cron_deliver()
            self.assertEqual((a1 | a2 | a3).mapped("state"), ["sent"] * 3)
        received = [json.loads(request["body"])["data"]["message"] for request in stand_in.requests]
        self.assertEqual(
            [message for message in received if message.startswith("a")], ["a1", "a1", "a2", "a3"]
        )

    def test_each_row_is_leased_for_the_rows_before_it_and_a_batch_stops_before_its_lease_ends(self):
        with StandIn() as stand_in:
            self._endpoint(stand_in.url, timeout=10)
            rows = self.outbox.browse()
            for partner in (self.partner_a, self.partner_b, self.env.user.partner_id):
                rows |= self.outbox._publish("svc.ping", partner, {"message": partner.name}).sudo()
            claimed_at = fields.Datetime.now()
            claimed = self.outbox._claim_due(10)
            self.assertEqual(claimed, rows)
            # Sent one after the other: the k-th row may wait for k-1 timeouts before its own.
            for position, row in enumerate(claimed, start=1):
                lease = (row.next_attempt_at - claimed_at).total_seconds()
                self.assertAlmostEqual(lease, 10 * position + 60, delta=2, msg=f"lease of row {position}")
            # The worker fell behind: the second row's lease ends before its attempt could.
            claimed[1].next_attempt_at = fields.Datetime.now() + timedelta(seconds=15)
            claimed._deliver(leased=True)
            self.assertEqual(claimed.mapped("state"), ["sent", "pending", "pending"])
            self.assertEqual(stand_in.event_ids(), [claimed[0].event_uuid], "the others wait for their lease")

    def test_send_test_event_delivers_at_once(self):
        with StandIn() as stand_in:
            endpoint = self._endpoint(stand_in.url, event_type_ids=[(6, 0, [])])
            action = endpoint.with_user(self.ops_manager).action_send_test_event()
            self.assertEqual(action["params"]["type"], "success")
            self.assertEqual(json.loads(stand_in.requests[0]["body"])["type"], "svc.ping")
            self.assertEqual(endpoint.sent_count, 1)

    def test_retention_purges_only_old_sent_rows(self):
        with StandIn() as stand_in:
            self._endpoint(stand_in.url)
            stand_in.script = ["200", "200", "400"]
            old, recent, dead = (self.outbox._publish("svc.ping", partner, {"message": "m"}).sudo()
                                 for partner in (self.partner_a, self.partner_b, self.env.user.partner_id))  # fmt: skip
            self.outbox._cron_deliver()
        self.assertEqual((old | recent | dead).mapped("state"), ["sent", "sent", "dead"])
        old.sent_at = fields.Datetime.now() - timedelta(days=31)
        dead.occurred_at = fields.Datetime.now() - timedelta(days=300)
        self.assertEqual(self.outbox._purge_old(days=30), 1)
        self.assertEqual((old | recent | dead).exists(), recent | dead)


class WorkerKilled(BaseException):
    """Stands for the worker process dying: no `except Exception` catches it."""


class TestOutboxCrash(TransactionCase):
    """A worker dies mid-batch, and two workers claim at once, with real commits.

    The fixture is committed in separate cursors (the rows must be seen by several
    connections) and removed afterwards.
    """

    def setUp(self):
        super().setUp()
        self.stand_in = StandIn().__enter__()
        self.addCleanup(self.stand_in.__exit__)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            # The stand-in listens on 127.0.0.1: allowed here (committed), restored afterwards.
            self.allow_param = env["ir.config_parameter"].get_param("svc_ops_base.allow_private_endpoints")
            env["ir.config_parameter"].set_param("svc_ops_base.allow_private_endpoints", "127.0.0.1")
            ping = env.ref("svc_ops_base.event_type_svc_ping")
            endpoint = env["svc.webhook.endpoint"].create(
                {
                    "name": "Crash test",
                    "url": self.stand_in.url,
                    "event_type_ids": [(6, 0, ping.ids)],
                    "timeout": 2,
                }
            )
            partners = env["res.partner"].create([{"name": f"Crash {n}"} for n in range(5)])
            rows = env["svc.outbox.event"]
            for partner in partners:
                rows |= env["svc.outbox.event"]._publish("svc.ping", partner, {"message": partner.name})
            self.endpoint_id, self.partner_ids, self.row_ids = endpoint.id, partners.ids, rows.ids
        self.addCleanup(self._remove_fixture)

    def _remove_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["svc.exception"].search(
                [("res_model", "=", "svc.outbox.event"), ("res_id", "in", self.row_ids)]
            ).unlink()
            env["svc.webhook.endpoint"].browse(self.endpoint_id).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            env["ir.config_parameter"].set_param("svc_ops_base.allow_private_endpoints", self.allow_param)

    def _rows(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["svc.outbox.event"].browse(self.row_ids)

    def _crash_on_post(self, number, **deliver_kwargs):
        """Run the delivery cron with real commits; the worker dies at the `number`-th POST."""
        real_post = requests.Session.post
        calls = []

        def dies_on_post(session, *args, **kwargs):
            calls.append(1)
            if len(calls) == number:
                raise WorkerKilled()
            return real_post(session, *args, **kwargs)

        with (
            patch.object(requests.Session, "post", dies_on_post),
            self.assertRaises(WorkerKilled),
            self.registry.cursor() as cr,
        ):
            api.Environment(cr, SUPERUSER_ID, {})["svc.outbox.event"]._cron_deliver(
                batch_size=5, auto_commit=True, **deliver_kwargs
            )

    def _after_the_lease_deliver_again(self, cr):
        """The dead worker's lease holds its rows; once it ends, the next run delivers them."""
        rows = self._rows(cr)
        self.assertFalse(
            rows.env["svc.outbox.event"]._claim_due(10), "the dead worker's lease is not over yet"
        )
        cr.rollback()
        rows.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        cr.commit()
        rows.env["svc.outbox.event"]._cron_deliver(auto_commit=True)
        rows.invalidate_recordset()
        self.assertEqual(rows.mapped("state"), ["sent"] * 5)
        self.assertEqual(
            rows.env["svc.outbox.event"].search_count([("endpoint_id", "=", self.endpoint_id)]), 5
        )
        return rows.mapped("event_uuid")

    def test_a_crash_after_a_committed_chunk_resends_only_the_unconfirmed_rows(self):
        with patch.object(outbox_module, "CHUNK_ROWS", 2):
            self._crash_on_post(4)
        with self.registry.cursor() as cr:
            rows = self._rows(cr)
            self.assertEqual(rows.mapped("state"), ["sent", "sent", "pending", "pending", "pending"])
            self.assertEqual(rows[2].attempts, 0, "the third row's outcome died with its chunk")
            expected = self._after_the_lease_deliver_again(cr)
        first, second, third, *rest = expected
        self.assertEqual(
            self.stand_in.event_ids(),
            [first, second, third, third, *rest],
            "the confirmed chunk is not sent again; the lost chunk is, in order",
        )

    def test_a_crash_mid_chunk_loses_nothing_and_sends_the_chunk_again(self):
        self._crash_on_post(3)
        with self.registry.cursor() as cr:
            rows = self._rows(cr)
            self.assertEqual(rows.mapped("state"), ["pending"] * 5, "nothing of the chunk was committed")
            self.assertEqual(rows.mapped("attempts"), [0] * 5)
            expected = self._after_the_lease_deliver_again(cr)
        first, second, *_rest = expected
        self.assertEqual(self.stand_in.event_ids(), [first, second, *expected], "at least once, in order")

    def test_failures_are_committed_with_their_chunk(self):
        self.stand_in.script = ["500", "200", "404"]
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["svc.outbox.event"]._cron_deliver(auto_commit=True)
        with self.registry.cursor() as cr:
            rows = self._rows(cr)
            self.assertEqual(rows.mapped("state"), ["failed", "sent", "dead", "sent", "sent"])
            self.assertEqual(rows.mapped("last_status_code"), [500, 200, 404, 200, 200])
            self.assertEqual(rows.mapped("attempts"), [1] * 5)
            self.assertTrue(
                rows.env["svc.exception"].search(
                    [("res_model", "=", "svc.outbox.event"), ("res_id", "=", rows[2].id)]
                ),
                "the dead row's exception is committed too",
            )

    def test_a_chunk_is_committed_before_an_attempt_that_could_outlast_its_oldest_lease(self):
        """Rows sent in one chunk stay leased until their outcome is committed: before a slow
        endpoint's attempt (60 s timeout), the first row (2 s endpoint, lease ends in 62 s)
        is committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            slow = env["svc.webhook.endpoint"].create(
                {"name": "Crash test, slow", "url": self.stand_in.url, "timeout": 60,
                 "event_type_ids": [(6, 0, env.ref("svc_ops_base.event_type_svc_ping").ids)]}
            )  # fmt: skip
            self.addCleanup(self._unlink_endpoint, slow.id)
            self._rows(cr)[1].endpoint_id = slow
        commits_after_requests = []
        with self.registry.cursor() as cr:
            rows = self._rows(cr).env["svc.outbox.event"]._claim_due(5)
            cr.commit()
            real_commit = cr.commit

            def commit():
                commits_after_requests.append(len(self.stand_in.requests))
                real_commit()

            with (
                patch.object(outbox_module, "CHUNK_SECONDS", 3600),
                patch.object(cr, "commit", commit),
            ):
                rows._deliver(auto_commit=True, leased=True)
        self.assertEqual(commits_after_requests, [1, 5], "the first row alone, then the rest at the end")
        with self.registry.cursor() as cr:
            self.assertEqual(self._rows(cr).mapped("state"), ["sent"] * 5)

    def _unlink_endpoint(self, endpoint_id):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["svc.webhook.endpoint"].browse(endpoint_id).unlink()

    def test_a_chunk_costs_one_update_whatever_its_size(self):
        """Bodies and endpoint settings are read once per batch, before the first POST; the
        outcomes of a chunk are written in one UPDATE."""
        statements = []
        with self.registry.cursor() as cr:
            outbox = api.Environment(cr, SUPERUSER_ID, {})["svc.outbox.event"]
            for size in (1, 1, 3):  # the first batch also warms Odoo's caches (groups)
                rows = outbox._claim_due(size)
                cr.commit()
                before = odoo.sql_db.sql_counter
                rows._deliver(auto_commit=True, leased=True)
                statements.append(odoo.sql_db.sql_counter - before)
            self.assertEqual(self._rows(cr).mapped("state"), ["sent"] * 5)
        self.assertEqual(statements[2], statements[1], f"three rows cost what one row does: {statements}")
        self.assertLessEqual(statements[2], 1 + 3, "one UPDATE for the chunk and three reads for the batch")

    def test_two_workers_never_claim_the_same_row(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            claimed_a = self._rows(cr_a).env["svc.outbox.event"]._claim_due(2)
            claimed_b = self._rows(cr_b).env["svc.outbox.event"]._claim_due(10)
            self.assertEqual(len(claimed_a), 2)
            self.assertEqual(len(claimed_b), 3, "the second worker skips the locked rows")
            self.assertFalse(set(claimed_a.ids) & set(claimed_b.ids))
            cr_a.commit()
            cr_b.commit()
            with self.registry.cursor() as cr_c:
                self.assertFalse(
                    self._rows(cr_c).env["svc.outbox.event"]._claim_due(10), "leased rows are not due"
                )
        self.assertEqual(self.stand_in.requests, [], "claiming sends nothing")
