import ast

from odoo import _, fields, models
from odoo.exceptions import UserError


class SvcApprovalDecisionWizard(models.TransientModel):
    """Asks for the comment, rejection reason or emergency justification of a decision."""

    _name = "svc.approval.decision.wizard"
    _description = "Approval Decision"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject"), ("emergency", "Emergency Release")],
        required=True,
        default="approve",
    )
    comment = fields.Text()

    def action_confirm(self):
        """Apply the decision to the documents with the governed document's own rules."""
        self.ensure_one()
        if self.res_model not in self.env or "approval_state" not in self.env[self.res_model]._fields:
            raise UserError(_("%s is not a document governed by approval policies.", self.res_model))
        documents = self.env[self.res_model].browse(self._document_ids()).exists()
        if not documents:
            raise UserError(_("The documents to decide no longer exist: reload the list."))
        if self.decision == "approve":
            documents.action_approve(comment=self.comment)
        elif self.decision == "reject":
            documents.action_reject(self.comment)
        else:
            documents.action_emergency_release(self.comment)
        return {"type": "ir.actions.act_window_close"}

    def _document_ids(self):
        """The ids in `res_ids` ("[1, 2]", as the documents' button writes it); anything else
        is refused with a sentence, never evaluated."""
        try:
            ids = ast.literal_eval(self.res_ids or "")
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            ids = None
        if isinstance(ids, int) and not isinstance(ids, bool):
            ids = [ids]
        if (
            not isinstance(ids, list | tuple)
            or not ids
            or not all(
                isinstance(res_id, int) and not isinstance(res_id, bool) and 0 < res_id < 2**31
                for res_id in ids
            )
        ):
            raise UserError(_("Documents to decide must be a list of record ids, e.g. [7, 12]."))
        return list(ids)
