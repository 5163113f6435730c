import json
import logging
import threading
import time
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .signing import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    backoff_seconds,
    is_fresh,
    parse_timestamp,
    verify,
)

_logger = logging.getLogger(__name__)

DEAD_KEY = "integration_inbox_dead"
MAX_EVENT_ID_LENGTH = 255
MAX_EVENT_TYPE_LENGTH = 128


class WebhookRefusal(Exception):
    """A request the webhook refuses: carries the HTTP status and the answer's status word."""

    def __init__(self, http_status, status, error, event_id=None):
        super().__init__(error)
        self.http_status, self.status, self.error, self.event_id = http_status, status, error, event_id


def parse_envelope(body):
    """Return (event id, type, envelope) of a webhook body, or raise WebhookRefusal(400).

    The envelope must also be storable as PostgreSQL jsonb: NaN/Infinity (also as 1e400),
    lone surrogates and NUL characters, which Python's json accepts and jsonb does not,
    are malformed.
    """

    def malformed(error):
        return WebhookRefusal(400, "malformed", error)

    def refuse_constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        text = body.decode("utf-8")
        envelope = json.loads(text, parse_constant=refuse_constant)
        canonical = json.dumps(envelope, ensure_ascii=False, allow_nan=False)
        canonical.encode("utf-8")
    except (UnicodeError, ValueError, RecursionError) as error:
        raise malformed(f"The body is not valid UTF-8 JSON: {error}") from None
    if "\x00" in canonical or "\\u0000" in canonical:
        raise malformed("The body contains a NUL character.")
    if not isinstance(envelope, dict):
        raise malformed("The body must be a JSON object with 'id', 'type' and 'data'.")
    event_id = envelope.get("id")
    if isinstance(event_id, bool) or not isinstance(event_id, str | int) or str(event_id).strip() == "":
        raise malformed("The event has no 'id' (a non-empty string or an integer).")
    event_id = str(event_id)
    if len(event_id) > MAX_EVENT_ID_LENGTH:
        raise malformed(f"The event 'id' is longer than {MAX_EVENT_ID_LENGTH} characters.")
    event_type = envelope.get("type")
    if not isinstance(event_type, str) or not event_type.strip() or len(event_type) > MAX_EVENT_TYPE_LENGTH:
        raise malformed("The event has no 'type' (a non-empty string).")
    if "data" in envelope and not isinstance(envelope["data"], dict):
        raise malformed("The event's 'data' must be a JSON object.")
    return event_id, event_type, canonical


class SvcInboxEvent(models.Model):
    """An event received on the webhook: stored at once, processed later by a handler.

    One row per (source, event id), guaranteed by a SQL unique constraint, so a partner
    may safely re-send: the second delivery is answered "duplicate" and creates nothing.
    """

    _name = "svc.inbox.event"
    _description = "Inbound Integration Event"
    _inherit = ["svc.related.record.mixin"]
    _order = "id desc"

    source_id = fields.Many2one(
        "svc.integration.source", required=True, index=True, ondelete="restrict", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    event_id = fields.Char("Event ID", required=True, readonly=True, help="The sender's id of the event.")
    event_type = fields.Char("Type", required=True, index=True, readonly=True)
    payload = fields.Json("Envelope", readonly=True, help="The envelope as received: id, type, data.")
    payload_text = fields.Text("Payload", compute="_compute_payload_text")
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("failed", "Failed"), ("dead", "Dead")],
        required=True,
        default="received",
        index=True,
        readonly=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime("Next Attempt", readonly=True)
    last_error = fields.Text(readonly=True)
    processed_at = fields.Datetime(readonly=True)
    res_model = fields.Char("Related Model", readonly=True, index=True)
    res_id = fields.Many2oneReference("Related Record ID", model_field="res_model", readonly=True)
    res_name = fields.Char("Related Record", compute="_compute_res_name")

    @api.depends("payload")
    def _compute_payload_text(self):
        for event in self:
            event.payload_text = (
                json.dumps(event.payload, indent=2, ensure_ascii=False) if event.payload else False
            )

    @api.depends("event_type", "event_id")
    def _compute_display_name(self):
        for event in self:
            event.display_name = f"{event.event_type} {event.event_id}"

    _sql_constraints = [
        (
            "source_event_uniq",
            "unique(source_id, event_id)",
            "This source already delivered an event with this id.",
        )
    ]

    def init(self):
        """The processing cron reads due events in id order: a partial index keeps that cheap."""
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS svc_inbox_event_due_idx
                ON svc_inbox_event (id) WHERE state IN ('received', 'failed')
            """
        )

    # ------------------------------------------------------------------ actions
    def action_process(self):
        """Process the selected received or failed events now, ignoring their retry delay."""
        self._check_can_operate()
        self.sudo().filtered(lambda event: event.state in ("received", "failed"))._process()
        return True

    def action_replay(self):
        """Process failed or dead events again from a fresh attempt count (after the cause is fixed)."""
        self._check_can_operate()
        events = self.sudo().filtered(lambda event: event.state in ("failed", "dead"))
        if not events:
            raise UserError(_("Only failed or dead events can be replayed."))
        events.write({"state": "received", "attempts": 0, "next_attempt_at": fields.Datetime.now()})
        events._process()
        return True

    # ------------------------------------------------------------------ receiving
    @api.model
    def _receive_webhook(self, source_code, headers, read_body):
        """Authenticate, validate and store one webhook request; return (http status, answer dict).

        Runs as superuser (the route has no session) and does the minimum: the source comes
        from the registry cache, and an accepted event costs one INSERT. `read_body(limit)`
        returns the raw body, or None when it is larger than `limit`. Nothing is trusted
        before the signature is checked; refusals of signed requests are counted on the source,
        unsigned ones only go to a rate-limited log.
        """
        inbox = self.with_user(SUPERUSER_ID).sudo()
        sources = inbox.env["svc.integration.source"]
        source = sources._webhook_configs().get(source_code or "")
        event_id = None
        signed = False
        try:
            if source is None:
                raise WebhookRefusal(404, "unknown_source", "No active source has this code.")
            body = read_body(source.max_payload_size)
            if body is None:
                raise WebhookRefusal(
                    413, "too_large", f"The body is larger than {source.max_payload_size} bytes."
                )
            timestamp = parse_timestamp(headers.get(TIMESTAMP_HEADER))
            if timestamp is None:
                raise WebhookRefusal(401, "unauthorized", f"Missing or invalid {TIMESTAMP_HEADER} header.")
            if not is_fresh(timestamp):
                raise WebhookRefusal(401, "unauthorized", "Stale timestamp: more than 5 minutes off.")
            if not verify(sources._webhook_secrets(source), timestamp, body, headers.get(SIGNATURE_HEADER)):
                raise WebhookRefusal(401, "unauthorized", f"Missing or bad {SIGNATURE_HEADER}.")
            signed = True
            event_id, event_type, canonical = parse_envelope(body)
            header_id = headers.get(EVENT_ID_HEADER)
            if header_id is not None and header_id != event_id:
                raise WebhookRefusal(
                    400, "malformed", f"{EVENT_ID_HEADER} differs from the body's 'id'.", event_id
                )
            if event_type not in source.allowed_types:
                raise WebhookRefusal(
                    422,
                    "type_not_allowed",
                    f"Event type {event_type!r} is not allowed for this source.",
                    event_id,
                )
            created = inbox._store(source.id, source.company_id, event_id, event_type, canonical)
        except WebhookRefusal as refusal:
            if source is not None:
                sources._count_refusal(source.id, f"{refusal.http_status} {refusal.error}", signed=signed)
            return refusal.http_status, {
                "status": refusal.status,
                "event": refusal.event_id or event_id,
                "error": refusal.error,
            }
        if created:
            return 202, {"status": "accepted", "event": event_id, "error": None}
        return 200, {"status": "duplicate", "event": event_id, "error": None}

    @api.model
    def _store(self, source_id, company_id, event_id, event_type, payload_json):
        """Insert the event unless (source, event id) exists; True when this call created it.

        Plain ids, so the webhook stores without reading the source.

        INSERT ... ON CONFLICT DO NOTHING: a concurrent delivery of the same event waits
        for the first transaction and then inserts nothing, so no unique-violation error
        ever reaches the sender.
        """
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            INSERT INTO svc_inbox_event
                (source_id, company_id, event_id, event_type, payload, received_at, next_attempt_at,
                 state, attempts, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, 'received', 0, %s, %s, %s, %s)
            ON CONFLICT (source_id, event_id) DO NOTHING
            RETURNING id
            """,
            (source_id, company_id, event_id, event_type, payload_json, now, now,
             self.env.uid, self.env.uid, now, now),
        )  # fmt: skip
        return bool(self.env.cr.fetchone())

    # ------------------------------------------------------------------ processing
    @api.model
    def _cron_process(self, batch_size=200, time_budget=240):
        """Process due events in batches, committing after each batch; safe to run concurrently.

        Rows are claimed with FOR UPDATE SKIP LOCKED, so two workers never process the
        same event. When the time budget runs out with work left, the cron re-triggers.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        started = time.monotonic()
        while True:
            events = self._claim_due(batch_size)
            if not events:
                return True
            events._process()
            if auto_commit:
                self.env.cr.commit()
            if time.monotonic() - started > time_budget:
                self.env.ref("svc_ops_base.ir_cron_process_inbox")._trigger()
                return True

    @api.model
    def _claim_due(self, limit):
        """Lock and return up to `limit` due events (received, or failed with their delay over)."""
        self.env["svc.inbox.event"].flush_model(["state", "next_attempt_at"])
        self.env.cr.execute(
            """
            SELECT id FROM svc_inbox_event
             WHERE state IN ('received', 'failed') AND next_attempt_at <= %s
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            (fields.Datetime.now(), limit),
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _process(self):
        """Run each event's handler in its own savepoint and record the outcome.

        Success: processed (and linked to the record the handler returns). Failure: failed
        with the error and a retry delay growing exponentially with jitter, or dead after
        the source's max attempts, which raises an exception owned by the source's
        responsible user. Replayed events that succeed resolve that exception.
        """
        events = self.sudo().filtered(lambda event: event.state in ("received", "failed")).sorted("id")
        if not events:
            return
        events.flush_recordset(["attempts"])
        self.env.cr.execute(
            "UPDATE svc_inbox_event SET attempts = attempts + 1 WHERE id IN %s", [tuple(events.ids)]
        )
        events.invalidate_recordset(["attempts"])
        routes = self.env["svc.inbox.route"].sudo()._route_map(set(events.mapped("event_type")))
        done, related, failures = self.browse(), {}, {}
        for event in events:
            route = routes.get((event.source_id.id, event.event_type)) or routes.get(
                (False, event.event_type)
            )
            try:
                with self.env.cr.savepoint():
                    if not route:
                        raise UserError(
                            _(
                                "No route handles events of type %s: add one in Service Operations > "
                                "Integrations > Routes, then replay the event.",
                                event.event_type,
                            )
                        )
                    record = route._run(event.with_company(event.company_id))
            except Exception as error:  # a handler's failure is recorded on the event, never lost
                _logger.info("Inbound event %s failed: %s", event.display_name, error)
                failures[event] = str(error) or error.__class__.__name__
            else:
                done |= event
                if record:
                    related[event] = record
        now = fields.Datetime.now()
        if done:
            had_exceptions = done.filtered(lambda event: event.attempts > 1 or event.last_error)
            done.write(
                {"state": "processed", "processed_at": now, "next_attempt_at": False, "last_error": False}
            )
            for event, record in related.items():
                event.write({"res_model": record._name, "res_id": record.id})
            if had_exceptions:
                self.env["svc.exception"].resolve_for(
                    had_exceptions, DEAD_KEY, _("Processed on a later attempt.")
                )
        for event, error in failures.items():
            event._record_failure(error, now)

    def _record_failure(self, error, now):
        """Failed with a retry delay, or dead (and an owned exception) after the max attempts."""
        self.ensure_one()
        if self.attempts >= self.source_id.max_attempts:
            self.write({"state": "dead", "last_error": error, "next_attempt_at": False})
            self.env["svc.exception"].raise_for(
                self,
                DEAD_KEY,
                "integration",
                _(
                    "Inbound event %(event)s from %(source_name)s is dead\n"
                    "It failed %(attempts)s times; last error: %(error)s\n"
                    "Fix the cause, then Replay the event from Service Operations > Integrations > Inbox.",
                    event=self.display_name,
                    source_name=self.source_id.name,
                    attempts=self.attempts,
                    error=error,
                ),
                severity="high",
                owner=self.source_id.responsible_user_id or None,
            )
        else:
            delay = backoff_seconds(self.attempts)
            self.write(
                {"state": "failed", "last_error": error, "next_attempt_at": now + timedelta(seconds=delay)}
            )

    # ------------------------------------------------------------------ handlers
    @api.model
    def _svc_inbox_handlers(self):
        """Python handlers addons register: {handler name: method name of svc.inbox.event}.

        Override with ``handlers = super()._svc_inbox_handlers(); handlers["supplier.ack"] =
        "_handle_supplier_ack"; return handlers``. A handler runs on one event (as
        superuser, in the source's company), raises on invalid data with a message that
        says what is wrong, and may return the record the event was about.
        """
        return {"svc.ping": "_handle_svc_ping"}

    def _event_data(self):
        """The event's own fields (the envelope's `data`), {} when absent."""
        self.ensure_one()
        return (self.payload or {}).get("data") or {}

    def _handle_svc_ping(self):
        """svc.ping: data {"message": text, "partner_ref": optional contact reference}.

        Checks the message, and that the referenced contact exists (then links the event to it).
        """
        data = self._event_data()
        message = data.get("message")
        if not isinstance(message, str) or not message.strip():
            raise ValidationError(_("svc.ping needs a non-empty text 'message' in data."))
        reference = data.get("partner_ref")
        if reference is None:
            return None
        if not isinstance(reference, str):
            raise ValidationError(_("svc.ping's 'partner_ref' must be a text."))
        partner = self.env["res.partner"].search([("ref", "=", reference)], limit=1)
        if not partner:
            raise ValidationError(
                _(
                    "No contact has the reference %r: create it (or correct the sender), then replay.",
                    reference,
                )
            )
        return partner

    # ------------------------------------------------------------------ helpers
    def _check_can_operate(self):
        self.check_access_rights("write")
        self.check_access_rule("write")

    @api.model
    def _purge_old(self, days=None, batch_size=5000):
        """Delete processed events older than the retention; failed and dead ones stay until resolved."""
        return _purge_older_than(self, [("state", "=", "processed")], "processed_at", days, batch_size)


def _purge_older_than(model, domain, date_field, days, batch_size):
    """Purge the rows of `domain` whose `date_field` is older than `days` (default: the
    integration retention setting, 30 days)."""
    if days is None:
        days = int(
            model.env["ir.config_parameter"].sudo().get_param("svc_ops_base.integration_retention_days", 30)
        )
    cutoff = fields.Datetime.now() - timedelta(days=days)
    return _purge(model.sudo(), [*domain, (date_field, "<", cutoff)], batch_size)


def _purge(model, domain, batch_size):
    """Unlink the records of `domain` in batches, committing between batches outside tests."""
    auto_commit = not getattr(threading.current_thread(), "testing", False)
    total = 0
    while True:
        records = model.search(domain, limit=batch_size)
        if not records:
            return total
        total += len(records)
        records.unlink()
        if auto_commit:
            model.env.cr.commit()
