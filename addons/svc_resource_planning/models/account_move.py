from odoo import _, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """Invoice hold: a customer invoice of an order whose billing readiness is blocked
    cannot be posted until the checks pass or a finance manager lifts the hold."""

    _inherit = "account.move"

    def _post(self, soft=True):
        self._svc_check_billing_hold()
        return super()._post(soft)

    def _svc_check_billing_hold(self):
        invoices = self.filtered(lambda move: move.move_type == "out_invoice")
        if not invoices:
            return
        orders = invoices.line_ids.sale_line_ids.order_id
        if not orders:
            return
        latest = max(invoice.invoice_date or fields.Date.context_today(self) for invoice in invoices)
        held = (
            self.env["svc.billing.readiness"]
            .sudo()
            .search(
                [
                    ("sale_order_id", "in", orders.ids),
                    ("readiness_state", "=", "blocked"),
                    ("approval_state", "not in", ("approved", "emergency")),
                    ("period_start", "<=", latest),
                ]
            )
        )
        if held:
            raise UserError(
                _(
                    "The invoice cannot be posted: billing of %(name)s is on hold.\n%(why)s\n"
                    "Fix these checks, or have a finance manager lift the hold on the emergency path.",
                    name=held[0].name,
                    why=held[0].unmet_summary or _("(not checked yet: run Check)"),
                )
            )
