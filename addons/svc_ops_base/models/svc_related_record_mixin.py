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
    def _compute_res_name(self):
        for row in self:
            record = row._related_record()
            row.res_name = record.sudo().display_name if record else False

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
