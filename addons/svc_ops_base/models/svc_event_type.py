from odoo import fields, models


class SvcEventType(models.Model):
    """An integration event type (``purchase.approved``, ``supplier.ack``): the catalogue
    sources allow, routes handle and endpoints subscribe to. Addons ship theirs as data."""

    _name = "svc.event.type"
    _description = "Integration Event Type"
    _order = "code"
    _rec_name = "code"

    code = fields.Char(required=True, help="What travels in the event's `type`, e.g. supplier.ack.")
    name = fields.Char(required=True, translate=True)
    direction = fields.Selection(
        [("inbound", "Consumed"), ("outbound", "Published"), ("both", "Consumed and Published")],
        required=True,
        default="inbound",
    )
    description = fields.Text(translate=True, help="The fields of `data` and what the suite does with them.")
    payload_example = fields.Text(help="An example of `data`, as JSON.")
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_uniq", "unique(code)", "An event type with this code already exists.")]

    def write(self, vals):
        result = super().write(vals)
        if {"code", "active"}.intersection(vals):
            self.env.registry.clear_cache()  # the webhook's allowed types are cached by code
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
