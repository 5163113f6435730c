from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .billing_period import BILLING_PERIODS


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
    svc_billing_period = fields.Selection(
        BILLING_PERIODS, "Billing Period", compute="_compute_svc_billing_period", store=True,
        readonly=False, precompute=True,
        help="Once confirmed, an order with service lines gets a billing readiness per period from "
        "the daily scheduled action. By Hand Only: create its readinesses yourself.",
    )  # fmt: skip
    svc_billing_readiness_count = fields.Integer(compute="_compute_svc_billing_readiness_count")

    @api.depends("company_id")
    def _compute_svc_billing_period(self):
        for order in self:
            order.svc_billing_period = order.company_id.svc_billing_period or "monthly"

    def _compute_svc_billing_readiness_count(self):
        counts = dict(
            self.env["svc.billing.readiness"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.svc_billing_readiness_count = counts.get(order, 0)

    @api.constrains("svc_retainer_warning_threshold")
    def _check_svc_retainer_warning_threshold(self):
        for order in self:
            if not 0 < order.svc_retainer_warning_threshold <= 100:
                raise ValidationError(
                    _("The retainer warning threshold of %s must be between 1 and 100%%.", order.name)
                )

    def action_svc_view_billing_readiness(self):
        """Open the billing readinesses of this order."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "svc_resource_planning.action_svc_billing_readiness"
        )
        action.update(
            domain=[("sale_order_id", "=", self.id)],
            context={"default_sale_order_id": self.id},
            view_mode="tree,kanban,form",
        )
        return action

    def action_confirm(self):
        """An order line priced under the rate card needs an approved rate override first."""
        under = self.order_line._svc_under_rate_card()
        if under:
            line = under[0]
            raise UserError(
                _("%(order)s cannot be confirmed: %(line)s is priced at %(price)s, under its rate card price of "
                  "%(list)s, without an approved rate override. Request a Rate Override service request for the "
                  "line (Service Operations > Time & Billing > Service Requests), or use the rate card price.",
                  order=line.order_id.name, line=line.name, price=line.price_unit, list=line._svc_rate_card_price())
            )  # fmt: skip
        return super().action_confirm()
