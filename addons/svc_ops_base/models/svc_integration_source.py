import logging
import threading
import time
from collections import namedtuple
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

# The route refuses larger bodies before any source is looked at (odoo.http's own limit is 128 MiB).
MAX_WEBHOOK_BODY = 8 * 1024 * 1024

# What the webhook needs to know about an active source, held in memory (see _webhook_configs).
WebhookConfig = namedtuple(
    "WebhookConfig",
    "id company_id max_payload_size secret previous_secret previous_secret_valid_until allowed_types",
)
# Writing one of these fields (or an event type's code or active flag) clears the webhook's cache.
WEBHOOK_CONFIG_FIELDS = {
    "code", "active", "company_id", "allowed_event_type_ids", "max_payload_size", "secret",
    "previous_secret", "previous_secret_valid_until",
}  # fmt: skip

# Unsigned refusals are logged at most once per source per window (the rest are summed up).
REFUSAL_LOG_WINDOW = 60.0


class _RefusalLog:
    """The inbox's own log of unsigned refusals, rate-limited per source and per worker.

    Anyone may post to the webhook: what they send without a valid signature changes no
    stored state (not the source's counters), and a flood of it costs one log line per
    source per window.
    """

    def __init__(self, window):
        self.window = window
        self.lock = threading.Lock()
        self.by_source = {}  # source id -> [window start, suppressed count]

    def record(self, source_id, reason):
        """Log the refusal unless one was logged for this source in the window; True if logged."""
        now = time.monotonic()
        with self.lock:
            entry = self.by_source.get(source_id)
            if entry and now - entry[0] < self.window:
                entry[1] += 1
                return False
            suppressed = entry[1] if entry else 0
            self.by_source[source_id] = [now, 0]
        _logger.warning(
            "Webhook source %s refused an unsigned request (%s); %s more in the last %ss not logged",
            source_id, reason, suppressed, int(self.window),
        )  # fmt: skip
        return True


refusal_log = _RefusalLog(REFUSAL_LOG_WINDOW)


class SvcIntegrationSource(models.Model):
    """A system allowed to post signed events to ``/svc/webhook/<code>``.

    Refusals of signed requests (malformed envelope, type not allowed) are counted here;
    unsigned ones (bad signature, stale timestamp, oversized, wrong method) only go to a
    rate-limited log. Nothing in a refused request is trusted or stored.
    """

    _name = "svc.integration.source"
    _description = "Integration Source"
    _inherit = ["svc.integration.secret.mixin", "mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="The last part of the webhook URL: /svc/webhook/<code>. Letters, digits, '-' and '_'.",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    allowed_event_type_ids = fields.Many2many(
        "svc.event.type",
        "svc_integration_source_event_type_rel",
        "source_id",
        "event_type_id",
        string="Allowed Event Types",
        help="Events of any other type are refused with 422.",
    )
    max_payload_size = fields.Integer(
        "Max Payload Size (bytes)",
        default=256 * 1024,
        required=True,
        help="Larger bodies are refused with 413.",
    )
    max_attempts = fields.Integer(
        "Max Processing Attempts",
        default=5,
        required=True,
        help="After this many failed processing attempts an event goes dead and raises an exception.",
    )
    responsible_user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Owns the exceptions raised for this source's dead events.",
    )
    previous_secret = fields.Char(groups="base.group_system", copy=False, readonly=True)
    previous_secret_valid_until = fields.Datetime(
        readonly=True,
        copy=False,
        help="Until then, requests signed with the previous secret are still accepted.",
    )
    secret_grace_hours = fields.Integer(
        "Secret Grace Period (hours)",
        default=24,
        help="How long the previous secret stays valid after a rotation, so the partner can switch.",
    )
    failure_count = fields.Integer("Refused Requests", readonly=True, copy=False)
    last_failure_at = fields.Datetime("Last Refusal", readonly=True, copy=False)
    last_failure_reason = fields.Char("Last Refusal Reason", readonly=True, copy=False)
    webhook_path = fields.Char("Webhook Path", compute="_compute_webhook_path")
    event_count = fields.Integer("Events", compute="_compute_event_counts")
    failed_event_count = fields.Integer("Failed Events", compute="_compute_event_counts")
    dead_event_count = fields.Integer("Dead Events", compute="_compute_event_counts")

    @api.depends("code")
    def _compute_webhook_path(self):
        for source in self:
            source.webhook_path = f"/svc/webhook/{source.code}" if source.code else False

    def _compute_event_counts(self):
        counts = {
            (source.id, state): count
            for source, state, count in self.env["svc.inbox.event"]._read_group(
                [("source_id", "in", self.ids)], ["source_id", "state"], ["__count"]
            )
        }
        for source in self:
            source.event_count = sum(count for (sid, _state), count in counts.items() if sid == source.id)
            source.failed_event_count = counts.get((source.id, "failed"), 0)
            source.dead_event_count = counts.get((source.id, "dead"), 0)

    @api.constrains("code")
    def _check_code(self):
        for source in self:
            if not source.code.replace("-", "").replace("_", "").isalnum() or not source.code.isascii():
                raise ValidationError(
                    _(
                        "The code %r may hold only letters, digits, '-' and '_': it is part of a URL.",
                        source.code,
                    )
                )

    @api.constrains("max_payload_size", "max_attempts")
    def _check_limits(self):
        for source in self:
            if not 0 < source.max_payload_size <= MAX_WEBHOOK_BODY:
                raise ValidationError(
                    _("The max payload size must be between 1 byte and %s bytes.", MAX_WEBHOOK_BODY)
                )
            if source.max_attempts < 1:
                raise ValidationError(_("An event needs at least one processing attempt."))

    _sql_constraints = [("code_uniq", "unique(code)", "Another source already uses this code.")]

    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        self.env.registry.clear_cache()
        return sources

    def write(self, vals):
        result = super().write(vals)
        if WEBHOOK_CONFIG_FIELDS.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def action_view_events(self):
        """The inbox filtered on this source."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("svc_ops_base.action_svc_inbox_event")
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {"default_source_id": self.id}
        return action

    def action_reset_failure_count(self):
        """Start counting refusals from zero (after the partner fixed its side)."""
        self.write({"failure_count": 0, "last_failure_at": False, "last_failure_reason": False})
        return True

    def _rotate_secret(self):
        """Keep the old secret valid for the grace period, so the partner can switch without losing events."""
        self.ensure_one()
        old_secret = self.sudo().secret
        secret = super()._rotate_secret()
        if old_secret and self.secret_grace_hours > 0:
            self.sudo().write(
                {
                    "previous_secret": old_secret,
                    "previous_secret_valid_until": fields.Datetime.now()
                    + timedelta(hours=self.secret_grace_hours),
                }
            )
        else:
            self.sudo().write({"previous_secret": False, "previous_secret_valid_until": False})
        self.message_post(body=_("Secret rotated by %s.", self.env.user.name))
        return secret

    @api.model
    @tools.ormcache()
    def _webhook_configs(self):
        """{code: WebhookConfig} of every active source, cached in the registry.

        The webhook answers from memory instead of reading the source, its secrets and its
        event types on every request. Any change to those clears the cache (create, write,
        unlink here and on event types), and other workers follow through Odoo's registry
        signaling. One entry for all sources: unknown codes do not fill the cache.
        """
        sources = self.sudo().with_context(active_test=True).search([])
        return {
            source.code: WebhookConfig(
                source.id,
                source.company_id.id,
                source.max_payload_size,
                source.secret or None,
                source.previous_secret or None,
                source.previous_secret_valid_until or None,
                frozenset(source.allowed_event_type_ids.filtered("active").mapped("code")),
            )
            for source in sources
        }

    @api.model
    def _webhook_secrets(self, config):
        """The secrets of a WebhookConfig valid right now: current, then previous in its grace period."""
        valid = [config.secret]
        until = config.previous_secret_valid_until
        if config.previous_secret and until and until > fields.Datetime.now():
            valid.append(config.previous_secret)
        return [secret for secret in valid if secret]

    @api.model
    def _count_refusal(self, source_id, reason, signed=False):
        """Count a refused request on source `source_id` (SQL: one statement, no ORM write tracking).

        Only a request signed with the source's secret (the partner itself, sending a body we
        refuse) moves the stored counters; an unsigned one goes to the rate-limited refusal
        log only, so anonymous traffic cannot write to the database or hide a real refusal.
        """
        if not signed:
            refusal_log.record(source_id, reason[:250])
            return
        self.env.cr.execute(
            """
            UPDATE svc_integration_source
               SET failure_count = COALESCE(failure_count, 0) + 1,
                   last_failure_at = (now() AT TIME ZONE 'UTC'),
                   last_failure_reason = %s
             WHERE id = %s
            """,
            (reason[:250], source_id),
        )
        self.browse(source_id).invalidate_recordset(
            ["failure_count", "last_failure_at", "last_failure_reason"]
        )
