import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class SvcReplenishmentRun(models.Model):
    """One replenishment review: Odoo's reordering rules ran, their RFQs were confirmed per
    supplier, and what proceeded or went to approval is kept for the purchasing manager."""

    _name = "svc.replenishment.run"
    _description = "Replenishment Review Run"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    rfqs_created = fields.Integer(
        "RFQs Created", readonly=True, help="New requests for quotation of this run."
    )
    rfqs_reviewed = fields.Integer(
        "RFQs Reviewed", readonly=True, help="Draft RFQs of automatic reordering rules, new or earlier."
    )
    confirmed = fields.Integer(readonly=True, help="RFQs that proceeded: now confirmed purchase orders.")
    sent_to_approval = fields.Integer(readonly=True, help="RFQs a policy holds: now waiting for approval.")
    failed = fields.Integer(readonly=True, help="RFQs whose confirmation was refused (see the log).")
    po_ids = fields.Many2many("purchase.order", string="Purchase Orders", readonly=True)
    log = fields.Text(readonly=True)

    @api.model
    def action_run_now(self):
        """Run the review now for the current company (RPC and the menu); returns the run's id."""
        if not self.env.user.has_group("svc_procurement_orchestration.group_procurement_manager"):
            raise UserError(_("Only a purchasing manager can run the replenishment review."))
        return self.sudo()._run_for_company(self.env.company).id

    @api.model
    def action_run_now_and_open(self):
        """The list's Run Now button: run the review, then show the run."""
        run = self.browse(self.action_run_now())
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "views": [(False, "form")],
        }

    @api.model
    def _cron_run(self):
        """Scheduled action: one review per company that has automatic reordering rules."""
        orderpoints = self.env["stock.warehouse.orderpoint"].sudo().search([("trigger", "=", "auto")])
        for company in orderpoints.company_id:
            self._run_for_company(company)
        return True

    @api.model
    def _run_for_company(self, company):
        """Run Odoo's reordering rules of `company`, confirm the resulting RFQs supplier by
        supplier (button_confirm: approval policies decide who proceeds), record the run."""
        self = self.sudo().with_company(company)
        lines = self.env["purchase.order.line"]
        orderpoints = self.env["stock.warehouse.orderpoint"].search(
            self.env["procurement.group"]._get_orderpoint_domain(company_id=company.id)
        )
        # a rejected RFQ waits for its buyer: the review does not submit it again every night
        draft_domain = [
            ("orderpoint_id", "in", orderpoints.ids),
            ("order_id.state", "=", "draft"),
            ("order_id.approval_state", "!=", "rejected"),
        ]
        existing = lines.search(draft_domain).order_id
        orderpoints._compute_qty_to_order()
        orderpoints._procure_orderpoint_confirm(
            use_new_cursor=False, company_id=company, raise_user_error=False
        )
        orders = lines.search(draft_domain).order_id.sorted("id")
        log, failed = [], self.env["purchase.order"]
        for (supplier, buyer), supplier_orders in orders.grouped(lambda o: (o.partner_id, o.user_id)).items():
            try:
                with self.env.cr.savepoint():
                    # as the supplier's buyer when it has one (Odoo puts them on the RFQ): the
                    # approval rules then see who requested, not the scheduler
                    (supplier_orders.with_user(buyer) if buyer else supplier_orders).button_confirm()
            except (UserError, ValidationError) as error:
                failed |= supplier_orders
                log.append(
                    _("%(supplier)s: not confirmed: %(error)s", supplier=supplier.display_name, error=error)
                )
                continue
            log.append(
                _(
                    "%(supplier)s: %(orders)s",
                    supplier=supplier.display_name,
                    orders=", ".join(f"{order.name} ({order.state})" for order in supplier_orders),
                )
            )
        run = self.create(
            {
                "company_id": company.id,
                "rfqs_created": len(orders - existing),
                "rfqs_reviewed": len(orders),
                "confirmed": len(orders.filtered(lambda order: order.state == "purchase")),
                "sent_to_approval": len(orders.filtered(lambda order: order.state == "to approve")),
                "failed": len(failed),
                "po_ids": [(6, 0, orders.ids)],
                "log": "\n".join(log) or _("No reordering rule needed a purchase."),
            }
        )
        _logger.info(
            "Replenishment review %s: %s RFQs, %s confirmed, %s to approval",
            company.name, run.rfqs_reviewed, run.confirmed, run.sent_to_approval,
        )  # fmt: skip
        return run

    def action_view_orders(self):
        """The purchase orders of this run."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Purchase Orders"),
            "res_model": "purchase.order",
            "view_mode": "tree,form",
            "domain": [("id", "in", self.po_ids.ids)],
        }
