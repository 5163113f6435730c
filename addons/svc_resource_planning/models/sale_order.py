from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    """Orders carry their retainer warning threshold, approved overages and billing readiness."""

    _inherit = "sale.order"

    svc_retainer_warning_threshold = fields.Float(
        "Retainer Warning at (%)", default=80.0,
        help="Consumption of a retainer line at which the account manager is warned.",
    )  # fmt: skip
    svc_overage_ids = fields.One2many("svc.retainer.overage", "order_id", "Retainer Overages")
    svc_retainer_line_ids = fields.One2many(
        "sale.order.line", "order_id", "Retainer Lines", domain=[("svc_is_retainer", "=", True)]
    )

    @api.constrains("svc_retainer_warning_threshold")
    def _check_svc_retainer_warning_threshold(self):
        for order in self:
            if not 0 < order.svc_retainer_warning_threshold <= 100:
                raise ValidationError(
                    _("The retainer warning threshold of %s must be between 1 and 100%%.", order.name)
                )
