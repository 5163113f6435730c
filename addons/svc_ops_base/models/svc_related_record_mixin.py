from odoo import _, api, models
from odoo.exceptions import UserError


class SvcRelatedRecordMixin(models.AbstractModel):
    """Behaviour of a row about one business record (its `res_model` and `res_id` fields):
    the record's name, the record itself if it still exists, and a button to open it.

    Exceptions, inbox events and outbox rows all point at a record that may be of any
    model, may be invisible to the viewer, or may have been deleted since.
    """

    _name = "svc.related.record.mixin"
    _description = "Row About a Business Record"

    @api.depends("res_model", "res_id")
    @api.depends_context("uid")
    def _compute_res_name(self):
        """The record's name even when its rules hide it from the viewer, but never the name
        of another company's record: a row pointed at one must not reveal it."""
        companies = self.env.user.company_ids
        for row in self:
            record = row._related_record()
            if not record:
                row.res_name = False
            elif self.env.su or "company_id" not in record._fields or record.sudo().company_id <= companies:
                row.res_name = record.sudo().display_name
            else:
                row.res_name = _("%s of another company", record._description)

    def action_open_record(self):
        """Open the record this row is about."""
        self.ensure_one()
        record = self._related_record()
        if not record:
            raise UserError(_("The related record no longer exists, or this row is not linked to one yet."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }

    def _related_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists() or None
