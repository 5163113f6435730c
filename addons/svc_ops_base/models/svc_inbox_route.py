from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcInboxRoute(models.Model):
    """Which handler processes an inbound event type: a Python handler an addon registers,
    or a server action an administrator picks (it runs with the event as its record)."""

    _name = "svc.inbox.route"
    _description = "Inbound Event Route"
    _order = "sequence, id"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    event_type_id = fields.Many2one(
        "svc.event.type", "Event Type", required=True, ondelete="cascade", index=True
    )
    source_id = fields.Many2one(
        "svc.integration.source",
        "Only for Source",
        ondelete="cascade",
        help="Leave empty to handle this type from every source; a source-specific route wins.",
    )
    handler_type = fields.Selection(
        [("python", "Python Handler"), ("server_action", "Server Action")],
        required=True,
        default="python",
    )
    python_handler = fields.Selection(
        "_selection_python_handler", help="Handlers registered by the installed addons."
    )
    server_action_id = fields.Many2one(
        "ir.actions.server",
        "Server Action",
        groups="base.group_system",
        domain=[("model_id.model", "=", "svc.inbox.event")],
        help="Runs with the event as `record`; read its fields with record._event_data().",
    )

    @api.depends("event_type_id", "handler_type", "python_handler", "server_action_id")
    def _compute_name(self):
        for route in self:
            handler = (
                route.python_handler if route.handler_type == "python" else route.sudo().server_action_id.name
            )
            route.name = f"{route.event_type_id.code or ''} → {handler or '?'}"

    def _selection_python_handler(self):
        return [(name, name) for name in sorted(self.env["svc.inbox.event"]._svc_inbox_handlers())]

    @api.constrains("handler_type", "python_handler", "server_action_id")
    def _check_handler(self):
        for route in self:
            if route.handler_type == "python" and not route.python_handler:
                raise ValidationError(_("Pick the Python handler of route %s.", route.name))
            if route.handler_type == "server_action":
                if not route.sudo().server_action_id:
                    raise ValidationError(_("Pick the server action of route %s.", route.name))
                if route.sudo().server_action_id.model_id.model != "svc.inbox.event":
                    raise ValidationError(
                        _(
                            "The server action of route %s must be defined on Inbound Integration Event.",
                            route.name,
                        )
                    )

    def _route_map(self, event_types):
        """{(source id or False, event type code): route} for the given codes; first by sequence wins."""
        routes = self.search([("event_type_id.code", "in", list(event_types))])
        mapping = {}
        for route in routes:
            mapping.setdefault((route.source_id.id or False, route.event_type_id.code), route)
        return mapping

    def _run(self, event):
        """Run this route's handler on `event`; return the record it was about, if any."""
        self.ensure_one()
        if self.handler_type == "python":
            method = event._svc_inbox_handlers().get(self.python_handler)
            if not method:
                raise ValidationError(
                    _(
                        "The Python handler %s is not installed: pick another handler on the route.",
                        self.python_handler,
                    )
                )
            return getattr(event, method)()
        self.server_action_id.with_context(
            active_model=event._name, active_id=event.id, active_ids=event.ids, svc_inbox_event_id=event.id
        ).run()
        return None
