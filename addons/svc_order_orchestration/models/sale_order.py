from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import float_repr

# The stored figures approval policies test in their domain (refreshed at each Confirm).
GATE_FIELDS = (
    "svc_credit_exposure",
    "svc_credit_limit",
    "svc_credit_limit_exceeded",
    "svc_overdue_amount",
    "svc_overdue_days",
    "svc_margin_percent",
    "svc_margin_floor",
    "svc_margin_below_floor",
    "svc_max_discount",
    "svc_new_customer",
)


class SaleOrder(models.Model):
    """A sales order governed by approval policies, with the gate figures they test.

    "Confirm" on a quotation a policy governs moves it to "To Approve" and requests
    approval; the last approval confirms it (Odoo's own confirmation); a rejection returns it
    to quotation with the reason in the chatter. A quotation no policy governs confirms as
    before. The state value "To Approve" is added to Odoo's selection (rather than keeping
    the quotation in draft with a badge) so that the status bar, the list and the search
    show it, and Odoo's quotation-only actions (Confirm, Send) are hidden while it waits,
    as for purchase orders.
    """

    _name = "sale.order"
    _inherit = ["sale.order", "svc.approval.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("sale",)

    state = fields.Selection(
        selection_add=[("to_approve", "To Approve"), ("sale",)],
        ondelete={"to_approve": "set draft"},
    )
    svc_credit_exposure = fields.Monetary(
        "Credit Exposure",
        compute="_compute_svc_credit",
        store=True,
        currency_field="svc_company_currency_id",
        help="The customer's open receivable, plus its confirmed orders not invoiced yet, plus this "
        "order (its total while it is a quotation), in the company currency. Refreshed at each Confirm.",
    )
    svc_credit_limit = fields.Monetary(
        "Credit Limit",
        compute="_compute_svc_credit",
        store=True,
        currency_field="svc_company_currency_id",
        help="The customer's credit limit in this order's company (0: none set).",
    )
    svc_credit_limit_exceeded = fields.Boolean(
        "Credit Limit Exceeded",
        compute="_compute_svc_credit",
        store=True,
        help="The customer has a credit limit and the credit exposure is above it.",
    )
    svc_overdue_amount = fields.Monetary(
        "Overdue Amount",
        compute="_compute_svc_overdue",
        store=True,
        currency_field="svc_company_currency_id",
        help="What the customer owes on posted invoices past their due date (company currency).",
    )
    svc_overdue_days = fields.Integer(
        "Overdue Days",
        compute="_compute_svc_overdue",
        store=True,
        help="Days since the due date of the customer's oldest overdue invoice (0: none overdue).",
    )
    svc_margin_percent = fields.Float(
        "Margin %",
        compute="_compute_svc_margin_percent",
        store=True,
        digits=(16, 2),
        help="The order's margin (sale_margin) over its untaxed amount, in percent (0 for an empty order).",
    )
    svc_margin_floor = fields.Float(
        "Margin Floor %",
        compute="_compute_svc_margin_floor",
        store=True,
        digits=(16, 2),
        help="The highest margin floor of the product categories of the order's lines, else the "
        "company's (0: none).",
    )
    svc_margin_below_floor = fields.Boolean(
        "Margin Below Floor",
        compute="_compute_svc_margin_floor",
        store=True,
        help="A margin floor applies and the order's margin % is under it.",
    )
    svc_max_discount = fields.Float(
        "Largest Discount %",
        compute="_compute_svc_max_discount",
        store=True,
        digits="Discount",
        help="The largest discount of the order's lines, in percent.",
    )
    svc_new_customer = fields.Boolean(
        "New Customer",
        compute="_compute_svc_new_customer",
        store=True,
        help="The customer has no other confirmed order.",
    )
    svc_company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    svc_gate_reason = fields.Char(
        "Gate Figures",
        compute="_compute_svc_gate_reason",
        help="In one line, what stands out in the gate figures the approval policies test.",
    )

    # ------------------------------------------------------------ gate figures
    @api.depends("partner_id", "company_id", "state", "amount_total", "currency_rate", "amount_to_invoice")
    def _compute_svc_credit(self):
        """Receivable and confirmed-not-invoiced orders of all customers of the batch in two
        grouped reads, never one search per order."""
        partners = self.partner_id.commercial_partner_id
        companies = self.company_id
        if not partners:
            self.svc_credit_exposure = self.svc_credit_limit = 0.0
            self.svc_credit_limit_exceeded = False
            return
        receivable = defaultdict(float)
        for partner, company, amount in (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "in", companies.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["partner_id", "company_id"],
                ["amount_residual:sum"],
            )
        ):
            receivable[partner.commercial_partner_id.id, company.id] += amount
        to_invoice = defaultdict(float)
        today = fields.Date.context_today(self)
        for partner, company, currency, amount in (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("company_id", "in", companies.ids),
                    ("state", "=", "sale"),
                    ("amount_to_invoice", ">", 0),
                ],
                ["partner_id", "company_id", "currency_id"],
                ["amount_to_invoice:sum"],
            )
        ):
            to_invoice[partner.commercial_partner_id.id, company.id] += currency._convert(
                amount, company.currency_id, company, today
            )
        for order in self:
            partner = order.partner_id.commercial_partner_id
            key = (partner.id, order.company_id.id)
            own = 0.0
            if order.state != "sale":
                own = order.amount_total / order.currency_rate if order.currency_rate else order.amount_total
            exposure = receivable[key] + to_invoice[key] + own
            limit = partner.with_company(order.company_id).credit_limit if partner else 0.0
            order.svc_credit_exposure = exposure
            order.svc_credit_limit = limit
            order.svc_credit_limit_exceeded = bool(limit > 0 and exposure > limit)

    @api.depends("partner_id", "company_id")
    def _compute_svc_overdue(self):
        """Posted customer invoices past their due date and not paid, grouped by customer."""
        partners = self.partner_id.commercial_partner_id
        today = fields.Date.context_today(self)
        overdue = {}
        if partners:
            for partner, company, amount, oldest in (
                self.env["account.move"]
                .sudo()
                ._read_group(
                    [
                        ("commercial_partner_id", "in", partners.ids),
                        ("company_id", "in", self.company_id.ids),
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("payment_state", "in", ("not_paid", "partial")),
                        ("invoice_date_due", "<", today),
                    ],
                    ["commercial_partner_id", "company_id"],
                    ["amount_residual_signed:sum", "invoice_date_due:min"],
                )
            ):
                overdue[partner.id, company.id] = (amount, (today - oldest).days)
        for order in self:
            amount, days = overdue.get(
                (order.partner_id.commercial_partner_id.id, order.company_id.id), (0.0, 0)
            )
            order.svc_overdue_amount = amount
            order.svc_overdue_days = days

    @api.depends("margin", "amount_untaxed")
    def _compute_svc_margin_percent(self):
        for order in self:
            order.svc_margin_percent = order.amount_untaxed and 100.0 * order.margin / order.amount_untaxed

    @api.depends(
        "svc_margin_percent",
        "amount_untaxed",
        "company_id.svc_margin_floor",
        "order_line.product_id.categ_id.svc_margin_floor",
    )
    def _compute_svc_margin_floor(self):
        for order in self:
            floor = max(order.order_line.product_id.categ_id.mapped("svc_margin_floor"), default=0.0)
            floor = floor or order.company_id.svc_margin_floor
            order.svc_margin_floor = floor
            order.svc_margin_below_floor = bool(
                floor and order.amount_untaxed and order.svc_margin_percent < floor
            )

    @api.depends("order_line.discount")
    def _compute_svc_max_discount(self):
        for order in self:
            order.svc_max_discount = max(order.order_line.mapped("discount"), default=0.0)

    @api.depends("partner_id", "state")
    def _compute_svc_new_customer(self):
        """One grouped read of the confirmed orders of the batch's customers."""
        partners = self.partner_id.commercial_partner_id
        confirmed = defaultdict(set)
        if partners:
            for partner, order_ids in (
                self.env["sale.order"]
                .sudo()
                ._read_group(
                    [("partner_id", "child_of", partners.ids), ("state", "=", "sale")],
                    ["partner_id"],
                    ["id:array_agg"],
                )
            ):
                confirmed[partner.commercial_partner_id.id].update(order_ids)
        for order in self:
            others = confirmed[order.partner_id.commercial_partner_id.id] - {order._origin.id or order.id}
            order.svc_new_customer = bool(order.partner_id) and not others

    @api.depends(*GATE_FIELDS)
    def _compute_svc_gate_reason(self):
        for order in self:
            currency = order.svc_company_currency_id
            reasons = []
            if order.svc_credit_limit_exceeded:
                reasons.append(
                    _(
                        "exposure %(exposure)s over the %(limit)s limit",
                        exposure=currency.format(order.svc_credit_exposure),
                        limit=currency.format(order.svc_credit_limit),
                    )
                )
            if order.svc_overdue_days:
                reasons.append(
                    _(
                        "%(amount)s overdue for %(days)s days",
                        amount=currency.format(order.svc_overdue_amount),
                        days=order.svc_overdue_days,
                    )
                )
            if order.svc_margin_below_floor:
                reasons.append(
                    _(
                        "margin %(margin)s%% under the %(floor)s%% floor",
                        margin=float_repr(order.svc_margin_percent, 1),
                        floor=float_repr(order.svc_margin_floor, 1),
                    )
                )
            elif order.amount_untaxed:
                reasons.append(_("margin %s%%", float_repr(order.svc_margin_percent, 1)))
            if order.svc_max_discount:
                reasons.append(_("discount up to %s%%", float_repr(order.svc_max_discount, 1)))
            if order.svc_new_customer:
                reasons.append(_("new customer"))
            order.svc_gate_reason = "; ".join(reasons)

    def _svc_refresh_gate_figures(self):
        """Recompute the stored gate figures now: receivables, invoices and other orders change
        without touching this order, so the figures a policy tests are refreshed before it is
        asked."""
        if not self:
            return
        for name in GATE_FIELDS:
            self.env.add_to_compute(self._fields[name], self)
        self.flush_recordset(list(GATE_FIELDS))

    # ------------------------------------------------------------ approval hooks
    def _svc_approval_amount(self):
        """The order total in the company currency."""
        self.ensure_one()
        return self.amount_total / self.currency_rate if self.currency_rate else self.amount_total

    def _svc_approval_requester(self):
        """Whoever confirms asks for approval (never allowed to approve it); the system asks on
        behalf of the salesperson."""
        self.ensure_one()
        if self.env.user._is_superuser() or not self.env.user._is_internal():
            return self.user_id or self.create_uid
        return self.env.user

    def _svc_on_approved(self):
        """The last step approved (or emergency release): confirm the order as Odoo does."""
        approved = self.filtered(lambda order: order.state in ("draft", "sent", "to_approve"))
        approved._svc_publish(
            "sale.approved", lambda order: {"approval_policy": order.approval_policy_id.name}
        )
        if approved:
            super(SaleOrder, approved).action_confirm()
        return True

    def _svc_on_rejected(self, reason):
        """Back to quotation with the reason in the chatter: the salesperson fixes the order and
        confirms again."""
        self.filtered(lambda order: order.state == "to_approve").write({"state": "draft"})
        for order in self:
            order.message_post(
                body=_("Approval rejected by %(user)s: %(reason)s", user=self.env.user.name, reason=reason),
                subtype_xmlid="mail.mt_note",
            )

    def _can_be_confirmed(self):
        """An order waiting for approval is confirmed by the engine once it is granted."""
        self.ensure_one()
        return super()._can_be_confirmed() or (
            self.state == "to_approve" and self.approval_state in ("approved", "emergency")
        )

    def _svc_gate_payload(self):
        """The gate figures of the order, for the outbox."""
        self.ensure_one()
        return {
            "approval_policy": self.approval_policy_id.name,
            "reason": self.svc_gate_reason,
            "credit_exposure": self.svc_credit_exposure,
            "credit_limit": self.svc_credit_limit,
            "overdue_amount": self.svc_overdue_amount,
            "overdue_days": self.svc_overdue_days,
            "margin_percent": self.svc_margin_percent,
            "margin_floor": self.svc_margin_floor,
            "max_discount": self.svc_max_discount,
            "new_customer": self.svc_new_customer,
        }

    def _svc_publish(self, event_type, extra):
        """Publish `event_type` for these orders: the common order fields plus `extra(order)`,
        with one endpoint lookup per company for the whole batch."""
        self.env["svc.outbox.event"]._publish_orders(event_type, self, extra)

    # ------------------------------------------------------------------ actions
    def action_confirm(self):
        """Confirm, or send to approval the quotations a policy governs (state 'To Approve').

        The gate figures are refreshed and the policies evaluated once for the whole batch;
        quotations no policy governs go through Odoo's own confirmation untouched. No context
        key changes this: an order waiting for approval is refused by Odoo's own check, and
        the approval gate refuses the state 'sale' whatever the caller.
        """
        candidates = self.filtered(lambda order: order.state in ("draft", "sent"))
        candidates._svc_refresh_gate_figures()
        governed = candidates._svc_approval_ask()
        if governed:
            governed.order_line._validate_analytic_distribution()
            pending = governed.filtered(lambda order: order.approval_state == "pending")
            pending.write({"state": "to_approve"})
            pending._message_log_batch(
                {
                    order.id: _(
                        "Sent to approval by policy %(policy)s (%(why)s).",
                        policy=order.approval_policy_id.name,
                        why=order.svc_gate_reason,
                    )
                    for order in pending
                }
            )
            pending._svc_publish("sale.gate_blocked", lambda order: order._svc_gate_payload())
        rest = self - governed
        if rest:
            return super(SaleOrder, rest).action_confirm()
        return True

    def action_cancel(self):
        """Cancelling an order waiting for approval withdraws its approval request."""
        pending = self.filtered(lambda order: order.approval_state == "pending")
        result = super().action_cancel()
        pending = pending.filtered(lambda order: order.state == "cancel")
        if pending:
            pending._svc_approval_reset(_("Sales order cancelled while waiting for approval."))
        return result

    def action_draft(self):
        """A cancelled order set back to quotation can be edited freely: its approval no longer holds."""
        decided = self.filtered(lambda order: order.approval_state in ("pending", "approved", "emergency"))
        result = super().action_draft()
        if decided:
            decided._svc_approval_reset(_("Sales order set back to quotation: it needs approval again."))
        return result
