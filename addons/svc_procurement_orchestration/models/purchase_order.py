import threading
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.svc_ops_base.models.rpc_args import date_argument

ACK_OVERDUE_KEY = "ack_overdue"
PRICE_ANOMALY_KEY = "price_anomaly"
PRICE_VARIANCE_PARAM = "svc_procurement_orchestration.price_variance_pct"
DEFAULT_PRICE_VARIANCE_PCT = 10.0


def _is_catalog(product, vendors):
    """The product has a vendor price list entry of one of `vendors` (for it or for its template)."""
    return any(
        seller.partner_id in vendors and (not seller.product_id or seller.product_id == product)
        for seller in product.seller_ids
    )


class PurchaseOrder(models.Model):
    """A purchase order governed by approval policies, followed up until the vendor acknowledges it.

    Odoo's double-validation convention: "Confirm" on an order a policy governs moves it to
    "To Approve" and requests approval; the last approval confirms it; a rejection returns it
    to draft. An order no policy governs confirms as before.
    """

    _name = "purchase.order"
    _inherit = ["purchase.order", "svc.approval.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("purchase", "done")

    ack_state = fields.Selection(
        [
            ("not_required", "Not Required"),
            ("waiting", "Waiting"),
            ("acknowledged", "Acknowledged"),
            ("overdue", "Overdue"),
        ],
        string="Acknowledgment",
        default="not_required",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    ack_deadline = fields.Datetime(
        string="Acknowledgment Deadline",
        copy=False,
        index="btree_not_null",
        help="When the vendor must have acknowledged the order: confirmation (or sending) plus the "
        "vendor's lead time.",
    )
    ack_date = fields.Datetime(string="Acknowledged On", copy=False, readonly=True)
    ack_reference = fields.Char(
        string="Acknowledgment Reference",
        copy=False,
        help="The vendor's own reference for its acknowledgment.",
    )
    ack_reminded_at = fields.Datetime(string="Reminder Sent On", copy=False, readonly=True)
    ack_escalated_at = fields.Datetime(string="Escalated On", copy=False, readonly=True)
    ack_state_sequence = fields.Integer(compute="_compute_ack_state_sequence", store=True)
    supplier_promised_date = fields.Date(
        string="Promised Date", copy=False, help="The delivery date the vendor promised when acknowledging."
    )
    supplier_risk = fields.Selection(
        related="partner_id.commercial_partner_id.supplier_risk", store=True, string="Supplier Risk"
    )
    has_non_catalog_line = fields.Boolean(
        "Non-catalog Line",
        compute="_compute_has_non_catalog_line",
        store=True,
        help="A line's product has no vendor price list entry for this supplier.",
    )
    price_anomaly = fields.Boolean(
        compute="_compute_price_anomaly",
        store=True,
        help="A line's unit price deviates from the reference price by more than the configured percentage.",
    )
    price_anomaly_reason = fields.Text(compute="_compute_price_anomaly", store=True)

    @api.depends("ack_state")
    def _compute_ack_state_sequence(self):
        """Overdue first, then waiting: the order of the Awaiting Acknowledgment list."""
        ranks = {"overdue": 0, "waiting": 1, "acknowledged": 2, "not_required": 3}
        for order in self:
            order.ack_state_sequence = ranks[order.ack_state]

    @api.depends("partner_id", "order_line.product_id", "order_line.product_id.seller_ids.partner_id")
    def _compute_has_non_catalog_line(self):
        for order in self:
            vendors = order.partner_id | order.partner_id.commercial_partner_id
            order.has_non_catalog_line = any(
                not line.display_type and line.product_id and not _is_catalog(line.product_id, vendors)
                for line in order.order_line
            )

    @api.depends("order_line.price_variance_pct", "order_line.price_reference")
    def _compute_price_anomaly(self):
        limit = self._svc_price_variance_limit()
        for order in self:
            reasons = [
                _(
                    "%(product)s: %(price)s is %(pct)+.1f%% against the reference price %(reference)s (%(origin)s).",
                    product=line.product_id.display_name,
                    price=line.price_unit,
                    pct=line.price_variance_pct,
                    reference=round(line.price_reference, 2),
                    origin=dict(line._fields["price_reference_source"].selection)[
                        line.price_reference_source
                    ],
                )
                for line in order.order_line
                if line.price_reference and abs(line.price_variance_pct) > limit
            ]
            order.price_anomaly = bool(reasons)
            order.price_anomaly_reason = "\n".join(reasons) if reasons else False

    # ------------------------------------------------------------ approval hooks
    def _svc_approval_amount(self):
        """The order total in the company currency, as Odoo's own double validation compares it."""
        self.ensure_one()
        if self.currency_id == self.company_id.currency_id:
            return self.amount_total
        return self.currency_id._convert(
            self.amount_total,
            self.company_id.currency_id,
            self.company_id,
            self.date_order or fields.Date.today(),
        )

    def _svc_approval_governed_line_fields(self):
        """What the approver saw on each line, whatever the amount: the product."""
        return {"product_id"}

    def _svc_approval_amount_line_fields(self):
        return {"product_qty", "product_uom", "price_unit", "taxes_id"}

    def _svc_approval_requester(self):
        """Whoever confirms asks for approval (never allowed to approve it); a scheduled action
        asks on behalf of the order's buyer."""
        self.ensure_one()
        if self.env.user._is_superuser() or not self.env.user._is_internal():
            return self.user_id or self.create_uid
        return self.env.user

    def _svc_on_approved(self):
        """The last step approved (or emergency release): confirm the order as Odoo does."""
        approved = self.filtered(lambda order: order.state in ("draft", "sent", "to approve"))
        approved._svc_publish(
            "purchase.approved", lambda order: {"approval_policy": order.approval_policy_id.name}
        )
        drafts = approved.filtered(lambda order: order.state in ("draft", "sent"))
        if drafts:
            super(PurchaseOrder, drafts).button_confirm()
        waiting = approved - drafts
        for order in waiting:
            order._add_supplier_to_product()
        if waiting:
            waiting.button_approve()
        return True

    def _svc_on_rejected(self, reason):
        """Back to draft with the reason in the chatter: the buyer fixes the order and confirms again."""
        self.filtered(lambda order: order.state == "to approve").write({"state": "draft"})
        for order in self:
            order.message_post(
                body=_("Approval rejected by %(user)s: %(reason)s", user=self.env.user.name, reason=reason),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        """The order's supplier risk mirrors its vendor's (it chooses the approval policy):
        it is never written on the order, only on the vendor by a purchase manager."""
        if "supplier_risk" in vals and not self.env.su:
            raise UserError(
                _(
                    "The supplier risk of an order comes from its vendor and cannot be set on the order: "
                    "ask a purchase manager to change the vendor's supplier risk."
                )
            )
        return super().write(vals)

    def message_post(self, **kwargs):
        """Sending a confirmed order to the vendor restarts its acknowledgment clock from now."""
        result = super().message_post(**kwargs)
        if self.env.context.get("mark_rfq_as_sent"):
            self.filtered(lambda order: order.ack_state == "waiting")._svc_start_ack_clock()
        return result

    # ------------------------------------------------------------------ actions
    def button_confirm(self):
        """Confirm, or send to approval the orders a policy governs (state 'To Approve').

        Policies are evaluated once per call for the whole batch; the orders no policy
        governs go through Odoo's own confirmation untouched.
        """
        candidates = self.filtered(lambda order: order.state in ("draft", "sent"))
        candidates._svc_flag_price_anomalies()
        governed = candidates._svc_approval_ask()
        if governed:
            governed.order_line._validate_analytic_distribution()
            pending = governed.filtered(lambda order: order.approval_state == "pending")
            pending.write({"state": "to approve"})
            pending._svc_subscribe_vendors()
            pending._message_log_batch(
                {
                    order.id: _("Sent to approval by policy %s.", order.approval_policy_id.name)
                    for order in pending
                }
            )
        # Odoo confirms order by order: the late-inbound check of the new receipts runs once
        # for the whole batch afterwards instead of once per order
        confirming = candidates - governed
        deferred_ids = self._svc_late_inbound_deferred_ids()
        newly_deferred = set(confirming.ids) - deferred_ids
        deferred_ids.update(newly_deferred)
        try:
            result = super(PurchaseOrder, self - governed).button_confirm()
        finally:
            deferred_ids.difference_update(newly_deferred)
        confirming.filtered(lambda order: order.state in ("purchase", "done"))._svc_check_late_inbound()
        return result

    def _svc_late_inbound_deferred_ids(self):
        """Ids of the orders whose late-inbound check our own button_confirm runs once for the
        whole batch after Odoo's confirmation loop.

        Kept on the ORM transaction, not in the context: a client can send any context key
        over RPC, so no context key may skip the check of a direct button_approve.
        """
        transaction = self.env.transaction
        if not hasattr(transaction, "svc_late_inbound_deferred_ids"):
            transaction.svc_late_inbound_deferred_ids = set()
        return transaction.svc_late_inbound_deferred_ids

    def button_approve(self, force=False):
        """Refuse to confirm a governed order without its approval (Odoo's own "Approve Order"
        included); then confirm, start the acknowledgment clock, tell the outbox, and check the
        new receipts against the committed demand (a receipt can be late from the start)."""
        self._svc_check_po_approval()
        before = {order.id: order.state for order in self}
        result = super().button_approve(force=force)
        confirmed = self.filtered(
            lambda order: order.state in ("purchase", "done") and before[order.id] not in ("purchase", "done")
        )
        confirmed._svc_request_acknowledgment()
        confirmed._svc_publish("purchase.confirmed", lambda order: {"date_approve": order.date_approve})
        deferred_ids = self._svc_late_inbound_deferred_ids()
        confirmed.filtered(lambda order: order.id not in deferred_ids)._svc_check_late_inbound()
        return result

    def button_cancel(self):
        """Cancelling an order waiting for approval withdraws its approval request."""
        pending = self.filtered(lambda order: order.approval_state == "pending")
        result = super().button_cancel()
        if pending:
            pending._svc_approval_reset(_("Purchase order cancelled while waiting for approval."))
        return result

    def button_draft(self):
        """A cancelled order set back to draft can be edited freely: its approval no longer holds."""
        decided = self.filtered(lambda order: order.approval_state in ("pending", "approved", "emergency"))
        result = super().button_draft()
        if decided:
            decided._svc_approval_reset(_("Purchase order set back to draft: it needs approval again."))
        return result

    def action_acknowledge(self, promised_date=None, reference=None):
        """Record the vendor's acknowledgment of confirmed orders, with the delivery date it promised.

        Resolves the overdue exception; a promised date later than the planned receipt moves the
        receipts' scheduled date. Returns True (RPC friendly).
        """
        unconfirmed = self.filtered(lambda order: order.state not in ("purchase", "done"))
        if unconfirmed:
            raise UserError(
                _(
                    "Only confirmed purchase orders can be acknowledged; confirm %(orders)s first.",
                    orders=", ".join(unconfirmed.mapped("display_name")),
                )
            )
        promised_date = date_argument(promised_date, _("The promised date"), required=False)
        if reference and not isinstance(reference, str):
            raise UserError(_("The acknowledgment reference must be text, not %r.", reference))
        values = {
            "ack_state": "acknowledged",
            "ack_date": fields.Datetime.now(),
            "supplier_promised_date": promised_date,
        }
        if reference:
            values["ack_reference"] = reference
        self.write(values)
        if promised_date:
            body = _(
                "Vendor acknowledged the order; promised date: %(date)s.",
                date=fields.Date.to_string(promised_date),
            )
        else:
            body = _("Vendor acknowledged the order.")
        for order in self:
            order.message_post(body=body)
        self.env["svc.exception"].resolve_for(self, ACK_OVERDUE_KEY, _("The vendor acknowledged the order."))
        self._svc_move_receipts_to_promised_date()
        self._svc_publish(
            "purchase.acknowledged",
            lambda order: {
                "promised_date": order.supplier_promised_date,
                "reference": order.ack_reference or None,
            },
        )
        return True

    # ------------------------------------------------------------- business
    def _approval_allowed(self):
        """An order approved by its policy needs no second validation by Odoo's rule."""
        self.ensure_one()
        return self.approval_state in ("approved", "emergency") or super()._approval_allowed()

    def _svc_check_po_approval(self):
        """Clear refusal when a policy governs an order that is not approved yet (every order is
        checked: nothing a client puts in the context may skip it)."""
        to_check = self.filtered(lambda order: order.state in ("draft", "sent", "to approve"))
        if to_check:
            to_check._svc_approval_check()

    def _svc_subscribe_vendors(self):
        """Make each order's vendor a follower, as Odoo's confirmation does, with one
        subscription per vendor for the whole batch instead of one per order."""
        unsubscribed = self.filtered(lambda order: order.partner_id not in order.message_partner_ids)
        for partner, orders in unsubscribed.grouped("partner_id").items():
            orders.message_subscribe(partner.ids)

    def _svc_publish(self, event_type, extra):
        """Publish `event_type` for these orders: the common order fields plus `extra(order)`,
        with one endpoint lookup per company for the whole batch."""
        self.env["svc.outbox.event"]._publish_orders(event_type, self, extra)

    @api.model
    def _svc_price_variance_limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PRICE_VARIANCE_PARAM)
        try:
            return float(value) if value not in (None, False, "") else DEFAULT_PRICE_VARIANCE_PCT
        except ValueError:
            return DEFAULT_PRICE_VARIANCE_PCT

    def _svc_flag_price_anomalies(self):
        """Advisory: an exception for each order whose prices deviate; resolved once they no longer do."""
        for order in self.filtered("price_anomaly"):
            self.env["svc.exception"].raise_for(
                order,
                PRICE_ANOMALY_KEY,
                "procurement",
                _(
                    "Price variance on %(order)s\n%(reason)s",
                    order=order.name,
                    reason=order.price_anomaly_reason,
                ),
                severity="medium",
                owner=order.user_id or None,
            )
        normal = self.filtered(lambda order: not order.price_anomaly)
        if normal:
            self.env["svc.exception"].resolve_for(
                normal, PRICE_ANOMALY_KEY, _("Prices back within tolerance.")
            )

    def _svc_ack_deadline_from(self, start):
        """The acknowledgment deadline of this order when the clock starts at `start`."""
        self.ensure_one()
        return start + timedelta(hours=self.partner_id.commercial_partner_id.ack_lead_hours)

    def _svc_request_acknowledgment(self):
        """Put confirmed orders not yet tracked in `waiting`, one write per vendor lead time."""
        self.filtered(
            lambda order: order.state in ("purchase", "done") and order.ack_state == "not_required"
        )._svc_start_ack_clock()

    def _svc_start_ack_clock(self):
        now = fields.Datetime.now()
        by_lead_hours = self.grouped(lambda order: order.partner_id.commercial_partner_id.ack_lead_hours)
        for lead_hours, group in by_lead_hours.items():
            group.write({"ack_state": "waiting", "ack_deadline": now + timedelta(hours=lead_hours)})

    def _svc_move_receipts_to_promised_date(self):
        """A promise later than the planned receipt moves the open receipts to that date."""
        for order in self.filtered("supplier_promised_date"):
            planned = order.date_planned
            if planned and order.supplier_promised_date <= planned.date():
                continue
            receipts = order.picking_ids.filtered(
                lambda picking: (
                    picking.picking_type_code == "incoming" and picking.state not in ("done", "cancel")
                )
            )
            for receipt in receipts:
                moment = receipt.scheduled_date or planned
                receipt.scheduled_date = datetime.combine(order.supplier_promised_date, moment.time())
            if receipts:
                order._message_log(
                    body=_(
                        "Receipt %(receipts)s rescheduled to the promised date %(date)s.",
                        receipts=", ".join(receipts.mapped("name")),
                        date=fields.Date.to_string(order.supplier_promised_date),
                    )
                )

    def _svc_ack_escalation_user(self):
        """Who gets acknowledgment escalations: the company's setting, else a purchasing manager."""
        self.ensure_one()
        user = self.company_id.svc_ack_escalation_user_id
        if user:
            return user
        managers = self.env.ref("svc_procurement_orchestration.group_procurement_manager").users
        return managers.filtered(lambda manager: manager.active and not manager.share).sorted("id")[:1]

    @api.model
    def _cron_ack_followup(self, batch_size=500, auto_commit=None):
        """Follow unacknowledged confirmed orders up: overdue → reminder to the vendor and an activity
        for the buyer; a second lead time later → escalation to the purchasing manager and an exception.

        Each stage is recorded on the order (state overdue, escalation date), so running the job
        again sends nothing twice. Works in batches and commits between them as a scheduled action.
        """
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        now = fields.Datetime.now()
        template = self.env.ref("svc_procurement_orchestration.mail_template_ack_reminder")
        counts = {"reminded": 0, "escalated": 0}
        while True:
            overdue = self.search(
                [
                    ("ack_state", "=", "waiting"),
                    ("ack_deadline", "<", now),
                    ("state", "in", ("purchase", "done")),
                ],
                limit=batch_size,
                order="ack_deadline, id",
            )
            if not overdue:
                break
            overdue._svc_remind_vendor(template, now)
            counts["reminded"] += len(overdue)
            self._svc_end_batch(auto_commit)
        escalated_ids = set()
        while True:
            candidates = self.search(
                [
                    ("ack_state", "=", "overdue"),
                    ("ack_escalated_at", "=", False),
                    ("state", "in", ("purchase", "done")),
                    ("id", "not in", list(escalated_ids)),
                ],
                limit=batch_size,
                order="ack_deadline, id",
            )
            if not candidates:
                break
            escalated_ids.update(candidates.ids)
            due = candidates.filtered(
                lambda order: order.ack_deadline and order._svc_ack_deadline_from(order.ack_deadline) <= now
            )
            due._svc_escalate_ack(now)
            counts["escalated"] += len(due)
            self._svc_end_batch(auto_commit)
        return counts

    def _svc_end_batch(self, auto_commit):
        """Commit the batch (as a scheduled action) and drop the cache, so memory stays flat."""
        self.env.flush_all()
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()

    def _svc_remind_vendor(self, template, now):
        """Mark the orders overdue, mail each vendor the reminder and give each buyer an activity.

        The state change is not tracked: the reminder posted in the chatter records it.
        """
        self.with_context(mail_notrack=True).write({"ack_state": "overdue", "ack_reminded_at": now})
        self._svc_mail_vendors(template)
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"]._svc_create_batch(
            [
                {
                    "res_model_id": model_id,
                    "res_id": order.id,
                    "activity_type_id": todo.id,
                    "summary": _("Vendor has not acknowledged"),
                    "note": _(
                        "%(vendor)s has not acknowledged %(order)s (deadline %(deadline)s); a reminder was sent.",
                        vendor=order.partner_id.display_name,
                        order=order.name,
                        deadline=order.ack_deadline,
                    ),
                    "user_id": (order.user_id or order.create_uid).id,
                    "date_deadline": today,
                }
                for order in self
            ]
        )

    def _svc_mail_vendors(self, template):
        """Send `template` to each order's vendor as a comment in the order's chatter, for the whole
        batch at once (`_svc_post_batch`: one create per kind of row, e-mails queued for Odoo's
        mail queue, never sent inside the job, the vendor not made a follower)."""
        rendered = template._generate_template(self.ids, ("subject", "body_html", "email_from", "partner_to"))
        return self._svc_post_batch(
            {
                order.id: {
                    "body": rendered[order.id].get("body_html") or "",
                    "subject": rendered[order.id].get("subject"),
                    "email_from": rendered[order.id].get("email_from") or None,
                    "partner_ids": rendered[order.id].get("partner_ids") or order.partner_id.ids,
                }
                for order in self
            },
            subtype_xmlid="mail.mt_comment",
            auto_delete=template.auto_delete,
        )

    def _svc_escalate_ack(self, now):
        """A lead time after the reminder: an exception and an activity for the purchasing manager,
        raised for the whole batch at once."""
        if not self:
            return
        self.write({"ack_escalated_at": now})
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        problems, activities = [], []
        for order in self:
            manager = order._svc_ack_escalation_user()
            message = _(
                "%(vendor)s has still not acknowledged %(order)s\n"
                "The deadline was %(deadline)s and a reminder was sent on %(reminded)s. Call the vendor, "
                "then record the acknowledgment on the order.",
                vendor=order.partner_id.display_name,
                order=order.name,
                deadline=order.ack_deadline,
                reminded=order.ack_reminded_at,
            )
            problems.append({"record": order, "message": message, "owner": manager or None})
            if manager:
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": order.id,
                        "activity_type_id": todo.id,
                        "summary": _("Acknowledgment escalated"),
                        "note": message.replace("\n", ". "),
                        "user_id": manager.id,
                        "date_deadline": today,
                    }
                )
        self.env["svc.exception"]._raise_many(ACK_OVERDUE_KEY, "procurement", problems, severity="high")
        self.env["mail.activity"]._svc_create_batch(activities)
