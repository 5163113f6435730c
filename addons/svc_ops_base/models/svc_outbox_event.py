import contextlib
import json
import logging
import threading
import time
import uuid
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import date_utils

from .signing import backoff_seconds, signature_headers
from .svc_inbox_event import _purge_older_than

_logger = logging.getLogger(__name__)

DEAD_KEY = "integration_outbox_dead"
LEASE_MARGIN_SECONDS = 60
# An attempt starts only when this much of the lease is left after its timeout (the commit, a slow answer).
LEASE_SAFETY_SECONDS = 30
# Outcomes are recorded and committed in chunks: a crash re-sends at most one chunk (at least once).
CHUNK_ROWS = 20
CHUNK_SECONDS = 0.5
OUTCOME_FIELDS = ("state", "attempts", "last_status_code", "last_error", "sent_at", "next_attempt_at")


class SvcOutboxEvent(models.Model):
    """One event to deliver to one endpoint, written in the business transaction.

    The row exists if and only if the business change committed; a scheduled action
    delivers it later, signed, retrying with backoff, in order per record and endpoint.
    """

    _name = "svc.outbox.event"
    _description = "Outbound Integration Event"
    _inherit = ["svc.related.record.mixin"]
    _order = "id desc"

    event_uuid = fields.Char("Event ID", required=True, readonly=True, index=True)
    event_type = fields.Char("Type", required=True, readonly=True, index=True)
    endpoint_id = fields.Many2one(
        "svc.webhook.endpoint", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    res_model = fields.Char("Model", readonly=True, index=True)
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char("Record", readonly=True)
    payload = fields.Json(readonly=True, help="The event's own fields (`data` of the body).")
    payload_text = fields.Text("Data", compute="_compute_payload_text")
    occurred_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Retrying"), ("dead", "Dead")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime("Next Attempt", readonly=True, default=fields.Datetime.now)
    last_status_code = fields.Integer("Last Status", readonly=True)
    last_error = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)

    @api.depends("payload")
    def _compute_payload_text(self):
        for row in self:
            row.payload_text = json.dumps(row.payload, indent=2, ensure_ascii=False) if row.payload else False

    @api.depends("event_type", "record_name")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.event_type} {row.record_name or ''}".strip()

    _sql_constraints = [
        (
            "endpoint_event_uniq",
            "unique(endpoint_id, event_uuid)",
            "This event is already queued for this endpoint.",
        )
    ]

    def init(self):
        """Due rows are read in id order, and each checks for an older undelivered row of its record."""
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS svc_outbox_event_due_idx
                ON svc_outbox_event (id) WHERE state IN ('pending', 'failed');
            CREATE INDEX IF NOT EXISTS svc_outbox_event_record_open_idx
                ON svc_outbox_event (endpoint_id, res_id, res_model, id) WHERE state IN ('pending', 'failed');
            """
        )

    # ------------------------------------------------------------------ actions
    def action_replay(self):
        """Queue dead (or retrying) rows again for a fresh series of attempts."""
        self.check_access_rights("write")
        self.check_access_rule("write")
        rows = self.sudo().filtered(lambda row: row.state in ("dead", "failed"))
        if not rows:
            raise UserError(_("Only dead or retrying rows can be replayed."))
        rows.write({"state": "pending", "attempts": 0, "next_attempt_at": fields.Datetime.now()})
        self.env["svc.exception"].resolve_for(rows, DEAD_KEY, _("Replayed by %s.", self.env.user.name))
        return True

    # ------------------------------------------------------------------ publishing
    @api.model
    def _publish(self, event_type, record, payload):
        """Queue `event_type` about `record` for every subscribed active endpoint of its company.

        Call it inside the business transaction: the rows commit (or roll back) with the
        change. Nothing is sent here. Returns the created rows (empty when no endpoint
        subscribes).
        """
        record.ensure_one()
        return self._publish_many(event_type, [(record, payload)])

    @api.model
    def _publish_orders(self, event_type, orders, extra):
        """Publish `event_type` for sales or purchase orders: the fields every order has (name,
        partner, total, currency) plus `extra(order)`, one endpoint lookup per company."""
        self._publish_many(
            event_type,
            [
                (
                    order,
                    {
                        "name": order.name,
                        "partner": order.partner_id.commercial_partner_id.name,
                        "amount_total": order.amount_total,
                        "currency": order.currency_id.name,
                        **extra(order),
                    },
                )
                for order in orders
            ],
        )

    @api.model
    def _publish_many(self, event_type, records_payloads):
        """`_publish` for many (record, payload) pairs, looking the subscribed endpoints up once
        per company: a cron that notifies thousands of records stays cheap."""
        endpoints_by_company = {}
        rows = self.sudo().browse()
        for record, payload in records_payloads:
            company = (
                record.company_id
                if "company_id" in record._fields and record.company_id
                else self.env.company
            )
            if company not in endpoints_by_company:
                endpoints_by_company[company] = self.env["svc.webhook.endpoint"]._subscribed(
                    event_type, company
                )
            if endpoints_by_company[company]:
                rows |= rows._create_rows(event_type, record, payload, endpoints_by_company[company], company)
        return rows.sudo(False)

    @api.model
    def _create_rows(self, event_type, record, payload, endpoints, company=None):
        """One row per endpoint, all sharing one event id (receivers deduplicate on it)."""
        payload = json.loads(json.dumps(payload or {}, default=date_utils.json_default))
        event_uuid = uuid.uuid4().hex
        now = fields.Datetime.now()
        company = company or (
            record.company_id if "company_id" in record._fields and record.company_id else self.env.company
        )
        return self.create(
            [
                {
                    "event_uuid": event_uuid,
                    "event_type": event_type,
                    "endpoint_id": endpoint.id,
                    "company_id": company.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "record_name": record.display_name,
                    "payload": payload,
                    "occurred_at": now,
                    "next_attempt_at": now,
                }
                for endpoint in endpoints
            ]
        )

    # ------------------------------------------------------------------ delivering
    @api.model
    def _cron_deliver(self, batch_size=50, time_budget=240, auto_commit=None):
        """Deliver due rows: claim a batch (committed lease), then send and commit in small chunks.

        The claim pushes each row's next attempt past the time this worker may need to
        reach and send it (a lease) in a committed transaction: another worker skips it,
        and if this worker dies, the rows it did not confirm become due again when the
        lease ends: none is lost, none is sent by two workers at once. One HTTP session
        (keep-alive connections per endpoint) serves the whole run.
        """
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        with _delivery_session() as session:
            while True:
                rows = self._claim_due(batch_size)
                if not rows:
                    return True
                if auto_commit:
                    self.env.cr.commit()
                rows._deliver(auto_commit=auto_commit, leased=True, session=session)
                if time.monotonic() - started > time_budget:
                    self.env.ref("svc_ops_base.ir_cron_deliver_outbox")._trigger()
                    return True

    @api.model
    def _claim_due(self, limit):
        """Lock due rows (FOR UPDATE SKIP LOCKED), lease them, return them.

        A row is due when its next attempt has come, its endpoint is active, and no older
        row of the same record and endpoint is still undelivered (order per record).
        Rows are sent one after the other, so the lease of each row covers the timeouts of
        the rows before it and its own, plus a margin; `_deliver` stops before a row whose
        lease would end during its attempt.
        """
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            WITH due AS (
                SELECT due.id, active_endpoint.timeout
                  FROM svc_outbox_event due
                  JOIN svc_webhook_endpoint active_endpoint
                    ON active_endpoint.id = due.endpoint_id AND active_endpoint.active
                 WHERE due.state IN ('pending', 'failed')
                   AND due.next_attempt_at <= %(now)s
                   AND NOT EXISTS (
                        SELECT 1 FROM svc_outbox_event older
                         WHERE older.endpoint_id = due.endpoint_id
                           AND older.res_id = due.res_id
                           AND older.res_model = due.res_model
                           AND older.state IN ('pending', 'failed')
                           AND older.id < due.id)
                 ORDER BY due.id
                 LIMIT %(limit)s
                   FOR UPDATE OF due SKIP LOCKED
            ), leased AS (
                SELECT id, sum(timeout) OVER (ORDER BY id) AS seconds FROM due
            )
            UPDATE svc_outbox_event row
               SET next_attempt_at = %(now)s + make_interval(secs => leased.seconds + %(margin)s)
              FROM leased
             WHERE row.id = leased.id
            RETURNING row.id
            """,
            {"now": now, "margin": LEASE_MARGIN_SECONDS, "limit": limit},
        )
        ids = sorted(row[0] for row in self.env.cr.fetchall())
        rows = self.sudo().browse(ids)
        rows.invalidate_recordset(["next_attempt_at"])
        return rows

    def _deliver(self, auto_commit=False, leased=False, session=None):
        """POST each row to its endpoint and record the outcomes in chunks (CHUNK_ROWS rows or
        CHUNK_SECONDS): one UPDATE per chunk, and with `auto_commit` one commit.

        Delivery is at least once: a crash before a chunk's commit loses no row, it only
        sends that chunk's rows again when their lease ends (receivers deduplicate on the
        event id). Every outcome, failures included, is recorded with its chunk.

        `leased`: the rows were claimed by `_claim_due` (their next attempt is the end of
        this worker's lease). The batch stops before a row whose lease would end during its
        attempt, and a chunk is recorded before an attempt that could outlast the lease of
        its oldest row: a second worker can never send a row this one is still sending.

        2xx: sent. Timeout, connection error, 429, 5xx: retry later (exponential backoff
        with jitter) or dead after the endpoint's max attempts. Any other status: dead at
        once (a retry cannot help). A dead row raises an exception owned by the
        endpoint's responsible user.

        Bodies, attempts and endpoint settings are read once for the batch, before the
        first POST: a commit clears the ORM cache, and re-reading them after each row would
        cost several queries per row. `requests` reads the proxy and CA settings of the
        environment on every call (about 1 ms of CPU); they are read once per endpoint.
        """
        rows = self.sudo().filtered(lambda row: row.state in ("pending", "failed"))
        endpoints = {
            endpoint.id: (
                endpoint.url,
                endpoint.timeout,
                endpoint.secret or "",
                endpoint.max_attempts,
                _environment_settings(endpoint.url),
                # Resolved again now, not only at save: a host's DNS can change to a private address.
                endpoint._private_target_error(),
            )
            for endpoint in rows.endpoint_id
        }
        batch = [
            (
                row,
                row.event_uuid,
                row._body(),
                row.attempts,
                row.next_attempt_at,
                endpoints[row.endpoint_id.id],
            )
            for row in rows
        ]
        chunk = _OutcomeChunk(self.sudo().browse(), auto_commit)
        with contextlib.ExitStack() as stack:
            if session is None:
                session = stack.enter_context(_delivery_session())
            for row, event_uuid, body, attempts, lease_end, endpoint in batch:
                url, timeout, secret, max_attempts, settings, refusal = endpoint
                attempt_end = fields.Datetime.now() + timedelta(seconds=timeout + LEASE_SAFETY_SECONDS)
                chunk.record_if_due(attempt_end)
                if leased and attempt_end > lease_end:
                    _logger.info(
                        "Outbox lease ends before %s can be sent: it waits for the next run.", row.id
                    )
                    break
                if refusal:
                    # Dead at once, nothing sent: retrying cannot help until someone fixes the URL.
                    chunk.add(
                        row, _outcome(None, refusal, False, attempts + 1, max_attempts), leased and lease_end
                    )
                    continue
                headers = signature_headers(secret, body, event_id=event_uuid)
                status_code, error, retryable = None, None, True
                try:
                    response = session.post(
                        url, data=body, headers=headers, timeout=timeout, allow_redirects=False, **settings
                    )
                    status_code = response.status_code
                    if 200 <= status_code < 300:
                        retryable = None
                    else:
                        error = f"HTTP {status_code}: {response.text[:500]}"
                        retryable = status_code == 429 or status_code >= 500
                except requests.Timeout:
                    error = _("No answer within %s seconds.", timeout)
                except requests.RequestException as exc:
                    error = _("Connection failed: %s", exc)
                chunk.add(
                    row,
                    _outcome(status_code, error, retryable, attempts + 1, max_attempts),
                    leased and lease_end,
                )
        chunk.record()

    def _record_outcomes(self, outcomes):
        """Write the outcomes {row id: values of `_outcome`} in one UPDATE, then raise an
        exception for each row that went dead.

        The database's clock gives write_date: after a commit, the ORM would also ask the
        database for the time.
        """
        self.flush_model()
        ids = list(outcomes)
        self.env.cr.execute(
            """
            UPDATE svc_outbox_event row
               SET state = outcome.state, attempts = outcome.attempts,
                   last_status_code = outcome.last_status_code, last_error = outcome.last_error,
                   sent_at = outcome.sent_at, next_attempt_at = outcome.next_attempt_at,
                   write_uid = %(uid)s, write_date = (now() AT TIME ZONE 'UTC')
              FROM unnest(%(ids)s::int[], %(states)s::varchar[], %(attempts)s::int[], %(codes)s::int[],
                          %(errors)s::text[], %(sent_at)s::timestamp[], %(next_attempt_at)s::timestamp[])
                   AS outcome(id, state, attempts, last_status_code, last_error, sent_at, next_attempt_at)
             WHERE row.id = outcome.id
            """,
            {
                "uid": self.env.uid,
                "ids": ids,
                **{
                    key: [outcomes[row_id][field] for row_id in ids]
                    for key, field in (
                        ("states", "state"), ("attempts", "attempts"), ("codes", "last_status_code"),
                        ("errors", "last_error"), ("sent_at", "sent_at"), ("next_attempt_at", "next_attempt_at"),
                    )
                },
            },
        )  # fmt: skip
        rows = self.browse(ids)
        rows.invalidate_recordset([*OUTCOME_FIELDS, "write_uid", "write_date"])
        for row in rows.filtered(lambda row: outcomes[row.id]["state"] == "dead"):
            error, attempts = outcomes[row.id]["last_error"], outcomes[row.id]["attempts"]
            _logger.warning(
                "Outbound event %s to %s is dead: %s", row.event_uuid, row.endpoint_id.name, error
            )
            self.env["svc.exception"].raise_for(
                row,
                DEAD_KEY,
                "integration",
                _(
                    "Delivery of %(event)s to %(endpoint)s is dead\n"
                    "After %(attempts)s attempt(s): %(error)s\n"
                    "Fix the endpoint (URL, secret, the receiver), then Replay the row from "
                    "Service Operations > Integrations > Outbox.",
                    event=row.display_name,
                    endpoint=row.endpoint_id.name,
                    attempts=attempts,
                    error=error,
                ),
                severity="high",
                owner=row.endpoint_id.responsible_user_id or None,
            )

    def _body(self):
        """The signed JSON body (compact, keys sorted, so every retry sends the same bytes)."""
        self.ensure_one()
        envelope = {
            "id": self.event_uuid,
            "type": self.event_type,
            "occurred_at": self.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "company": {"id": self.company_id.id, "name": self.company_id.name},
            "record": {"model": self.res_model, "id": self.res_id, "name": self.record_name},
            "data": self.payload or {},
        }
        return json.dumps(envelope, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()

    @api.model
    def _purge_old(self, days=None, batch_size=5000):
        """Delete sent rows older than the retention; dead and retrying rows stay until resolved."""
        return _purge_older_than(self, [("state", "=", "sent")], "sent_at", days, batch_size)


def _outcome(status_code, error, retryable, attempts, max_attempts):
    """The values of attempt number `attempts` (retryable None means delivered)."""
    now = fields.Datetime.now()
    values = {"attempts": attempts, "last_status_code": status_code or 0, "last_error": error or None}
    if retryable is None:
        return dict(values, state="sent", sent_at=now, next_attempt_at=None)
    if retryable and attempts < max_attempts:
        return dict(
            values,
            state="failed",
            sent_at=None,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)),
        )
    return dict(values, state="dead", sent_at=None, next_attempt_at=None)


class _OutcomeChunk:
    """Outcomes known but not yet recorded: record them (and commit, with `auto_commit`) every
    CHUNK_ROWS rows, every CHUNK_SECONDS, and before an attempt that could outlast the lease
    of the oldest row."""

    def __init__(self, outbox, auto_commit):
        self.outbox, self.auto_commit = outbox, auto_commit
        self.outcomes, self.started, self.oldest_lease_end = {}, None, None

    def add(self, row, outcome, lease_end):
        if not self.outcomes:
            self.started, self.oldest_lease_end = time.monotonic(), lease_end
        self.outcomes[row.id] = outcome

    def record_if_due(self, attempt_end):
        if self.outcomes and (
            len(self.outcomes) >= CHUNK_ROWS
            or time.monotonic() - self.started >= CHUNK_SECONDS
            or (self.oldest_lease_end and attempt_end > self.oldest_lease_end)
        ):
            self.record()

    def record(self):
        if not self.outcomes:
            return
        self.outbox._record_outcomes(self.outcomes)
        if self.auto_commit:
            self.outbox.env.cr.commit()
        self.outcomes = {}


def _delivery_session():
    """One HTTP session for a delivery run: connections are kept alive per endpoint. It does
    not read the environment on each call (see `_environment_settings`)."""
    session = requests.Session()
    session.trust_env = False
    return session


def _environment_settings(url):
    """What `requests` would take from the environment for `url` (proxies, CA bundle)."""
    with requests.Session() as probe:
        return probe.merge_environment_settings(url, {}, None, None, None)
