from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

# Who may change the fields that choose a purchase policy (supplier_risk is in policy domains).
RISK_MANAGER_GROUP = "purchase.group_purchase_manager"


class ResPartner(models.Model):
    """Vendor terms the procurement flow relies on: how risky the supplier is, how fast it must acknowledge."""

    _inherit = "res.partner"

    supplier_risk = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        default="low",
        tracking=True,
        help="How much the buyers trust this vendor to deliver as promised. It chooses the approval "
        "policy of the vendor's orders: only purchase managers change it, and each change is tracked.",
    )
    ack_lead_hours = fields.Integer(
        string="Acknowledgment lead time (hours)",
        default=48,
        help="Hours the vendor has to acknowledge a confirmed purchase order.",
    )

    @api.constrains("ack_lead_hours")
    def _check_ack_lead_hours(self):
        for partner in self:
            if partner.ack_lead_hours < 1:
                raise ValidationError(
                    _(
                        "The acknowledgment lead time of %(partner)s must be at least 1 hour; "
                        "enter the number of hours the vendor has to acknowledge an order.",
                        partner=partner.display_name,
                    )
                )

    def write(self, vals):
        if "supplier_risk" not in vals:
            return super().write(vals)
        self._svc_check_risk_change(vals["supplier_risk"])
        changed = self.filtered(lambda partner: partner.supplier_risk != (vals["supplier_risk"] or False))
        result = super().write(vals)
        changed._svc_reroute_pending_orders()
        return result

    def _svc_reroute_pending_orders(self):
        """Orders of these vendors waiting for approval follow the new risk: when another
        policy now governs one, its steps are cancelled (a `reset` audit line) and the new
        policy's steps open. An order no policy governs any more keeps waiting for the
        stricter decision it asked for (a policy manager may reject it)."""
        if not self:
            return
        orders = (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("partner_id.commercial_partner_id", "in", self.ids),
                    ("state", "=", "to approve"),
                    ("approval_state", "=", "pending"),
                ]
            )
        )
        policy_by_order = self.env["svc.approval.policy"].sudo()._policy_by_document(orders)
        reroute = orders.filtered(
            lambda order: policy_by_order[order] and policy_by_order[order] != order.approval_policy_id
        )
        if not reroute:
            return
        reroute._svc_approval_reset(
            _("The supplier risk of the vendor changed (by %s): approval asked again.", self.env.user.name)
        )
        reroute._svc_approval_submit(policy_by_order)
        reroute._message_log_batch(
            {
                order.id: _(
                    "Supplier risk changed by %(user)s: sent to approval by policy %(policy)s.",
                    user=self.env.user.name,
                    policy=order.approval_policy_id.name,
                )
                for order in reroute
            }
        )

    def _svc_check_risk_change(self, risk):
        """Supplier risk is an input of the purchase approval policies: a buyer who could lower
        it would choose which policy governs their own order, so only purchase managers (and
        the system) change it. Writes that keep the value are let through (form saves, syncs)."""
        if self.env.su or self.env.user.has_group(RISK_MANAGER_GROUP):
            return
        changed = self.filtered(lambda partner: partner.supplier_risk != (risk or False))
        if changed:
            raise AccessError(
                _(
                    "Only purchase managers may change the supplier risk of %(vendors)s: it decides which "
                    "approval policy governs the vendor's orders. Ask a purchase manager to review it.",
                    vendors=", ".join(changed.mapped("display_name")),
                )
            )


PARAM_PREFIX = "svc_procurement_orchestration."
RISK_LEVELS = ["low", "medium", "high"]

# One row per supplier (commercial partner): its receipts done in the window, how many on
# time (done on or before the date the vendor promised, else the receipt's deadline, else
# the order's planned date; compared by day), and the average delay in days (0 when on time).
RECEIPT_PERFORMANCE_SQL = """
WITH receipt AS (
    SELECT DISTINCT ON (p.id) p.id, COALESCE(rp.commercial_partner_id, rp.id) AS supplier_id,
           p.date_done::date AS done_on,
           COALESCE(po.supplier_promised_date, p.date_deadline::date, po.date_planned::date) AS promised_on
      FROM stock_picking p
      JOIN stock_picking_type t ON t.id = p.picking_type_id AND t.code = 'incoming'
      JOIN stock_move m ON m.picking_id = p.id
      JOIN purchase_order_line pol ON pol.id = m.purchase_line_id
      JOIN purchase_order po ON po.id = pol.order_id
      JOIN res_partner rp ON rp.id = po.partner_id
     WHERE p.state = 'done' AND p.date_done >= %(since)s
     ORDER BY p.id
)
SELECT supplier_id, COUNT(*),
       COUNT(*) FILTER (WHERE promised_on IS NULL OR done_on <= promised_on),
       AVG(GREATEST(done_on - promised_on, 0))
  FROM receipt
 GROUP BY supplier_id
"""

# Average hours between the order's confirmation and the vendor's acknowledgment.
ACK_LATENCY_SQL = """
SELECT COALESCE(rp.commercial_partner_id, rp.id), COUNT(*),
       AVG(EXTRACT(EPOCH FROM po.ack_date - po.date_approve)) / 3600.0
  FROM purchase_order po
  JOIN res_partner rp ON rp.id = po.partner_id
 WHERE po.ack_date IS NOT NULL AND po.date_approve IS NOT NULL AND po.date_approve >= %(since)s
 GROUP BY 1
"""


class ResPartnerPerformance(models.Model):
    """Supplier performance over a rolling window, computed by a scheduled action and stored
    on the vendor so the form shows it and a pivot compares vendors."""

    _inherit = "res.partner"

    svc_perf_receipts = fields.Integer("Receipts (window)", readonly=True, copy=False)
    svc_perf_on_time_rate = fields.Float(
        "On-Time Rate (%)", readonly=True, copy=False, digits=(5, 1), group_operator="avg",
        help="Receipts done on or before the promised (else planned) date, in % of the receipts of the window.",
    )  # fmt: skip
    svc_perf_avg_delay_days = fields.Float(
        "Average Delay (days)", readonly=True, copy=False, digits=(5, 2), group_operator="avg",
        help="Average days a receipt of the window was done after its promised (else planned) date; 0 when on time.",
    )  # fmt: skip
    svc_perf_ack_count = fields.Integer("Acknowledged Orders (window)", readonly=True, copy=False)
    svc_perf_ack_latency_hours = fields.Float(
        "Average Acknowledgment Latency (h)", readonly=True, copy=False, digits=(6, 1), group_operator="avg",
        help="Average hours between confirming an order and the vendor's acknowledgment, over the window.",
    )  # fmt: skip
    svc_perf_computed_at = fields.Datetime("Performance Computed On", readonly=True, copy=False)

    @api.model
    def _cron_compute_supplier_performance(self):
        """Scheduled action: recompute every supplier's figures, then suggest risk raises."""
        suppliers = self._svc_compute_supplier_performance()
        suppliers._svc_suggest_risk_raise()
        return True

    @api.model
    def _svc_compute_supplier_performance(self, window_days=None):
        """Store the figures of every supplier with receipts or acknowledgments in the window
        (two grouped SQL queries); reset those that have none any more. Returns the suppliers."""
        params = self.env["ir.config_parameter"].sudo()
        if window_days is None:
            window_days = int(params.get_param(PARAM_PREFIX + "performance_window_days", 90))
        now = fields.Datetime.now()
        since = now - timedelta(days=window_days)
        self.env.flush_all()
        self.env.cr.execute(RECEIPT_PERFORMANCE_SQL, {"since": since})
        figures = {}
        for supplier_id, receipts, on_time, delay in self.env.cr.fetchall():
            figures[supplier_id] = {
                "svc_perf_receipts": receipts,
                "svc_perf_on_time_rate": 100.0 * on_time / receipts,
                "svc_perf_avg_delay_days": float(delay or 0.0),
            }
        self.env.cr.execute(ACK_LATENCY_SQL, {"since": since})
        for supplier_id, count, latency in self.env.cr.fetchall():
            figures.setdefault(supplier_id, {}).update(
                {"svc_perf_ack_count": count, "svc_perf_ack_latency_hours": float(latency or 0.0)}
            )
        empty = {"svc_perf_receipts": 0, "svc_perf_on_time_rate": 0.0, "svc_perf_avg_delay_days": 0.0,
                 "svc_perf_ack_count": 0, "svc_perf_ack_latency_hours": 0.0}  # fmt: skip
        partners = self.sudo().with_context(tracking_disable=True)
        stale = partners.search(
            [
                "|",
                ("svc_perf_receipts", ">", 0),
                ("svc_perf_ack_count", ">", 0),
                ("id", "not in", list(figures)),
            ]
        )
        stale.write(dict(empty, svc_perf_computed_at=now))
        suppliers = partners.browse(list(figures))
        for supplier in suppliers:
            supplier.write(dict(empty, **figures[supplier.id], svc_perf_computed_at=now))
        return suppliers.sudo(False)

    def _svc_suggest_risk_raise(self):
        """An activity for the purchasing manager on each supplier below the on-time threshold
        (with enough receipts to judge): a suggestion, the risk itself is never changed here.
        A supplier that already has an open suggestion gets no second one."""
        params = self.env["ir.config_parameter"].sudo()
        threshold = float(params.get_param(PARAM_PREFIX + "on_time_threshold", 80))
        min_receipts = int(params.get_param(PARAM_PREFIX + "performance_min_receipts", 3))
        below = self.sudo().filtered(
            lambda partner: (
                partner.svc_perf_receipts >= min_receipts
                and partner.svc_perf_on_time_rate < threshold
                and partner.supplier_risk != "high"
            )
        )
        if not below:
            return self.browse()
        summary = _("Suggested supplier risk raise")
        open_suggestions = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_model", "=", "res.partner"), ("res_id", "in", below.ids), ("summary", "=", summary)]
            )
        )
        below = below.filtered(lambda partner: partner.id not in open_suggestions.mapped("res_id"))
        reviewer = self._svc_risk_reviewer()
        for partner in below:
            current = partner.supplier_risk or "low"
            suggested = RISK_LEVELS[min(RISK_LEVELS.index(current) + 1, len(RISK_LEVELS) - 1)]
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                user_id=reviewer.id,
                note=_(
                    "On-time receipts %(rate)s%% over %(count)s receipts, below the %(threshold)s%% "
                    "threshold; average delay %(delay)s days. Consider raising the supplier risk from "
                    "%(current)s to %(suggested)s.",
                    rate=round(partner.svc_perf_on_time_rate, 1),
                    count=partner.svc_perf_receipts,
                    threshold=threshold,
                    delay=round(partner.svc_perf_avg_delay_days, 1),
                    current=current,
                    suggested=suggested,
                ),
            )
        return below.sudo(False)

    @api.model
    def _svc_risk_reviewer(self):
        """Who reviews risk suggestions: a purchasing manager, preferring one who is not an
        administrator; the current user when the group has nobody else."""
        managers = (
            self.env.ref("svc_procurement_orchestration.group_procurement_manager")
            .sudo()
            .users.filtered(lambda user: user.active and not user.share and user.id != SUPERUSER_ID)
            .sorted("id")
        )
        plain = managers.filtered(lambda user: not user.has_group("base.group_system"))
        return (plain or managers)[:1] or self.env.user
