from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from . import url_guard


class SvcWebhookEndpoint(models.Model):
    """A URL that receives the suite's events: signed, retried with backoff, in order per record."""

    _name = "svc.webhook.endpoint"
    _description = "Outbound Webhook Endpoint"
    _inherit = ["svc.integration.secret.mixin", "mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    url = fields.Char("URL", required=True, tracking=True)
    event_type_ids = fields.Many2many(
        "svc.event.type",
        "svc_webhook_endpoint_event_type_rel",
        "endpoint_id",
        "event_type_id",
        string="Subscribed Event Types",
    )
    active = fields.Boolean(default=True, tracking=True)
    timeout = fields.Float("Timeout (seconds)", default=10.0, required=True)
    max_attempts = fields.Integer(default=8, required=True)
    responsible_user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Owns the exceptions raised when a delivery to this endpoint goes dead.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    pending_count = fields.Integer("Pending", compute="_compute_outbox_counts")
    failed_count = fields.Integer("Retrying", compute="_compute_outbox_counts")
    dead_count = fields.Integer("Dead", compute="_compute_outbox_counts")
    sent_count = fields.Integer("Sent", compute="_compute_outbox_counts")

    def _compute_outbox_counts(self):
        counts = {
            (endpoint.id, state): count
            for endpoint, state, count in self.env["svc.outbox.event"]._read_group(
                [("endpoint_id", "in", self.ids)], ["endpoint_id", "state"], ["__count"]
            )
        }
        for endpoint in self:
            endpoint.pending_count = counts.get((endpoint.id, "pending"), 0)
            endpoint.failed_count = counts.get((endpoint.id, "failed"), 0)
            endpoint.dead_count = counts.get((endpoint.id, "dead"), 0)
            endpoint.sent_count = counts.get((endpoint.id, "sent"), 0)

    @api.constrains("url", "timeout", "max_attempts")
    def _check_settings(self):
        for endpoint in self:
            if not endpoint.url.startswith(("http://", "https://")):
                raise ValidationError(_("The URL of %s must start with http:// or https://.", endpoint.name))
            endpoint._check_public_target()
            if not 0 < endpoint.timeout <= 120:
                raise ValidationError(_("The timeout must be between 0 and 120 seconds."))
            if endpoint.max_attempts < 1:
                raise ValidationError(_("An endpoint needs at least one delivery attempt."))

    def _private_target_error(self):
        """The sentence refusing this endpoint's URL when its host resolves to a loopback,
        link-local, private or unspecified address that no administrator allowed; else None."""
        self.ensure_one()
        param = self.env["ir.config_parameter"].sudo().get_param(url_guard.ALLOW_PARAM)
        address = url_guard.private_target(self.url, param)
        if not address:
            return None
        return _(
            "The URL of %(endpoint)s points at %(address)s, a loopback, link-local or private "
            "address: the server does not call its own network. Use a public address, or ask an "
            "administrator to allow this host in the system parameter %(param)s.",
            endpoint=self.name,
            address=address,
            param=url_guard.ALLOW_PARAM,
        )

    def _check_public_target(self):
        """Refuse a URL whose host is private (see url_guard); run at save and at delivery."""
        for endpoint in self:
            error = endpoint._private_target_error()
            if error:
                raise ValidationError(error)

    def action_send_test_event(self):
        """Queue an svc.ping for this endpoint alone and deliver it now; notify the outcome."""
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        row = (
            self.env["svc.outbox.event"]
            .sudo()
            ._create_rows("svc.ping", self, {"message": _("Test event from %s", self.env.company.name)}, self)
        )
        row._deliver()
        success = row.state == "sent"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Test event sent") if success else _("Test event not delivered"),
                "message": _(
                    "Answer: %(code)s %(error)s", code=row.last_status_code or "-", error=row.last_error or ""
                ),
                "type": "success" if success else "warning",
                "sticky": not success,
            },
        }

    def action_view_outbox(self):
        """The outbox filtered on this endpoint."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("svc_ops_base.action_svc_outbox_event")
        action["domain"] = [("endpoint_id", "=", self.id)]
        return action

    @api.model
    def _subscribed(self, event_type, company):
        """The active endpoints of `company` subscribed to `event_type` (as superuser)."""
        return self.sudo().search([("event_type_ids.code", "=", event_type), ("company_id", "=", company.id)])
