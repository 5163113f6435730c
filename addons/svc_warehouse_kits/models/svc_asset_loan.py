from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SvcAssetLoan(models.Model):
    """A serialized asset lent out by a material request, until it comes back (or is lost)."""

    _name = "svc.asset.loan"
    _description = "Asset Loan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_due, id"

    name = fields.Char(compute="_compute_name", store=True)
    lot_id = fields.Many2one("stock.lot", "Serial Number", required=True, index=True, tracking=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    holder_user_id = fields.Many2one("res.users", "Holder", help="Who has the asset (the requester).")
    holder_partner_id = fields.Many2one(
        "res.partner", "Holder Site", help="Where the asset is, for a site delivery."
    )
    project_id = fields.Many2one("project.project", index=True)
    material_request_id = fields.Many2one("svc.material.request", index=True)
    date_issued = fields.Date(default=fields.Date.context_today, required=True)
    date_due = fields.Date(required=True, tracking=True)
    date_returned = fields.Date(readonly=True)
    state = fields.Selection(
        [("out", "Out"), ("returned", "Returned"), ("overdue", "Overdue"), ("lost", "Lost")],
        default="out", required=True, tracking=True, index=True,
    )  # fmt: skip
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.depends("lot_id", "holder_user_id", "holder_partner_id")
    def _compute_name(self):
        for loan in self:
            holder = loan.holder_user_id or loan.holder_partner_id
            loan.name = f"{loan.lot_id.display_name or ''} → {holder.display_name or ''}"

    def action_return(self):
        """Record the return by hand (the return transfer does it by itself)."""
        self._check_open()
        self.write({"state": "returned", "date_returned": fields.Date.context_today(self)})
        for loan in self:
            self.env["svc.exception"].resolve_for(loan, "loan_overdue", _("Returned."))
        return True

    def action_mark_lost(self):
        """Write the asset off through Odoo's scrap when it is still in one of our locations."""
        self._check_open()
        for loan in self:
            quant = self.env["stock.quant"].search(
                [
                    ("lot_id", "=", loan.lot_id.id),
                    ("quantity", ">", 0),
                    ("location_id.usage", "=", "internal"),
                ],
                limit=1,
            )
            if quant:
                scrap = self.env["stock.scrap"].create(
                    {"product_id": loan.product_id.id, "lot_id": loan.lot_id.id, "scrap_qty": 1,
                     "location_id": quant.location_id.id, "company_id": loan.company_id.id,
                     "origin": loan.material_request_id.name}
                )  # fmt: skip
                scrap.action_validate()
                loan.message_post(body=_("Written off by scrap %s.", scrap.name))
            else:
                loan.message_post(body=_("Lost outside our locations: nothing left in stock to write off."))
            self.env["svc.exception"].resolve_for(loan, "loan_overdue", _("Declared lost."))
        self.write({"state": "lost"})
        return True

    def _check_open(self):
        closed = self.filtered(lambda loan: loan.state in ("returned", "lost"))
        if closed:
            raise UserError(_("%s is already closed.", ", ".join(closed.mapped("name"))))

    @api.model
    def _sync_with_moves(self, moves):
        """Open loans for returnable serials leaving stock; close them when the serial comes back."""
        today = fields.Date.context_today(self)
        values = []
        for move in moves:
            line = move.svc_request_line_id
            if line.returnable and move.location_id.usage == "internal":
                request = line.request_id
                for lot in move.move_line_ids.lot_id:
                    values.append({
                        "lot_id": lot.id, "holder_user_id": request.requested_by_id.id,
                        "holder_partner_id": request.delivery_partner_id.id if request.destination_type == "site"
                        else False,
                        "project_id": request.project_id.id, "material_request_id": request.id,
                        "date_issued": today, "date_due": today + timedelta(days=request.company_id.svc_loan_days),
                        "company_id": request.company_id.id,
                    })  # fmt: skip
            elif move.location_dest_id.usage == "internal" and not move.location_dest_id.svc_project_id:
                # back on the shelf (from a site or a project location): the loan ends
                returned = move.move_line_ids.lot_id
                open_loans = self.search(
                    [("lot_id", "in", returned.ids), ("state", "in", ("out", "overdue"))]
                )
                if open_loans:
                    open_loans.action_return()
        if values:
            self.create(values)

    @api.model
    def _cron_flag_overdue(self):
        """Mark loans past due, ask the holder's manager to chase them, raise an exception once."""
        overdue = self.search([("state", "=", "out"), ("date_due", "<", fields.Date.context_today(self))])
        for loan in overdue:
            loan.state = "overdue"
            manager = loan._holder_manager()
            loan.activity_schedule(
                "mail.mail_activity_data_todo", user_id=manager.id, summary=_("Loaner overdue"),
                note=_("%(asset)s was due back on %(date)s.", asset=loan.lot_id.display_name, date=loan.date_due),
            )  # fmt: skip
            self.env["svc.exception"].raise_for(
                loan, "loan_overdue", "loan", _("Loaner overdue: %(loan)s\nDue %(date)s", loan=loan.name, date=loan.date_due),
                severity="medium", owner=manager,
            )  # fmt: skip
        return len(overdue)

    def _holder_manager(self):
        self.ensure_one()
        manager = self.env["svc.approval.step"]._requester_manager(self.holder_user_id)
        return manager or self.material_request_id.project_manager_id or self.env.ref("base.user_admin")
