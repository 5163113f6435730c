from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .sale_order_line import EXHAUSTED_KEY


class SvcRetainerOverage(models.Model):
    """A request to log more hours than a retainer contracts, and at which rate.

    Governed by the approval engine (commercial review: the account manager, then sales
    management above a number of hours in the demo policies). Approved, it raises the
    line's allowance and is recorded on the order as a line that invoices the extra hours at
    the approved rate (the retainer line itself invoices the contracted hours only).
    """

    _name = "svc.retainer.overage"
    _description = "Retainer Overage Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin", "svc.requester.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("approved",)
    _order = "id desc"
    _svc_requester_manager_groups = (
        "svc_approval_matrix.group_approval_manager",
        "sales_team.group_sale_manager",
    )

    name = fields.Char(compute="_compute_name", store=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", "Retainer", required=True, index=True, ondelete="cascade",
        domain=[("svc_is_retainer", "=", True)],
    )  # fmt: skip
    order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id")
    account_manager_id = fields.Many2one(
        "res.users", "Account Manager", related="order_id.user_id", store=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    hours = fields.Float("Extra Hours", required=True, tracking=True)
    rate = fields.Monetary("Hourly Rate", currency_field="currency_id", required=True, tracking=True)
    reason = fields.Text(required=True)
    requested_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="draft", required=True, readonly=True, tracking=True, index=True, copy=False,
    )  # fmt: skip
    consumption = fields.Float(related="sale_line_id.svc_consumption", string="Consumption (%)")
    invoice_line_ids = fields.One2many(
        "sale.order.line", "svc_invoiced_overage_id", "Order Line", readonly=True,
        help="The order line, added at approval, that invoices these extra hours at this rate.",
    )  # fmt: skip

    @api.depends("sale_line_id.order_id.name", "hours")
    def _compute_name(self):
        for overage in self:
            overage.name = _(
                "%(order)s: +%(hours)s h", order=overage.sale_line_id.order_id.name or "", hours=overage.hours
            )

    @api.constrains("hours", "rate")
    def _check_hours_rate(self):
        for overage in self:
            if overage.hours <= 0:
                raise ValidationError(_("An overage request needs a positive number of extra hours."))
            if overage.rate < 0:
                raise ValidationError(_("The overage rate cannot be negative."))

    @api.constrains("sale_line_id")
    def _check_retainer(self):
        for overage in self:
            if not overage.sale_line_id.svc_is_retainer:
                raise ValidationError(
                    _("%s is not a retainer (a prepaid hours service): no overage applies.",
                      overage.sale_line_id.display_name)
                )  # fmt: skip

    def _svc_approval_requester(self):
        self.ensure_one()
        return self.requested_by_id or self.create_uid

    def _svc_approval_amount(self):
        self.ensure_one()
        return self.hours * self.rate

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("state", "draft") != "draft" for vals in vals_list):
            raise UserError(
                _("An overage request starts as a draft: create it, then submit it for approval.")
            )
        return super().create(vals_list)

    def write(self, vals):
        """The approval decides the state; a request is only changed while it is a draft."""
        if not self.env.su and (
            "state" in vals
            or ({"hours", "rate", "sale_line_id"} & set(vals) and self.filtered(lambda o: o.state != "draft"))
        ):
            raise UserError(
                _("Only draft overage requests can be changed, and only their approval decides their state.")
            )
        return super().write(vals)

    def action_submit(self):
        """Send the request to its commercial review (the approval policies decide who)."""
        not_draft = self.filtered(lambda overage: overage.state != "draft")
        if not_draft:
            raise UserError(
                _("Only draft overage requests can be submitted: %s.", ", ".join(not_draft.mapped("name")))
            )
        self.sudo().write({"state": "pending"})
        self.action_request_approval()
        ungoverned = self.filtered(lambda overage: overage.approval_state == "not_required")
        ungoverned._svc_approval_release()
        ungoverned._svc_on_approved()
        return True

    def _svc_on_approved(self):
        """Raise the allowance, invoice the extra hours on the order, close the exhaustion."""
        self.sudo().write({"state": "approved"})
        self._svc_add_invoice_lines()
        retainers = self.sale_line_id.sudo()
        # the raised allowance may be used up in turn: that exhaustion is notified again
        retainers.write({"svc_exhausted_notified_at": False})
        self.env["svc.exception"].resolve_for(
            retainers, EXHAUSTED_KEY, _("Overage approved: more hours may be logged.")
        )
        for overage in self:
            overage.order_id.message_post(
                body=_("Overage approved on %(line)s: %(hours)s extra hours at %(rate)s %(currency)s per hour (%(reason)s).",
                       line=overage.sale_line_id.name, hours=overage.hours, rate=overage.rate,
                       currency=overage.currency_id.name, reason=overage.reason),
                subtype_xmlid="mail.mt_note",
            )  # fmt: skip

    def _svc_add_invoice_lines(self):
        """One order line per approved request: its extra hours at its rate, on the overage
        service (invoiced on ordered quantity). Time keeps landing on the retainer line,
        which invoices its contracted hours only, so no hour is invoiced twice."""
        product = self.env.ref("svc_resource_planning.product_retainer_overage")
        hour = self.env.ref("uom.product_uom_hour")
        todo = self.sudo().filtered(lambda overage: not overage.invoice_line_ids)
        # no "Extra line" note: _svc_on_approved posts what was approved
        self.env["sale.order.line"].sudo().with_context(sale_no_log_for_new_lines=True).create([
            {"order_id": overage.order_id.id, "product_id": product.id, "product_uom": hour.id,
             "product_uom_qty": overage.hours, "price_unit": overage.rate,
             "sequence": overage.sale_line_id.sequence, "svc_invoiced_overage_id": overage.id,
             "name": _("%(product)s: %(hours)s extra hours on %(line)s\nOverage request %(request)s",
                       product=product.name, hours=overage.hours, line=overage.sale_line_id.name,
                       request=overage.name)}
            for overage in todo
        ])  # fmt: skip

    def _svc_on_rejected(self, reason):
        self.sudo().write({"state": "rejected"})
