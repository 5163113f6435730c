from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval


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
        documents = self.env[self.res_model].browse(safe_eval(self.res_ids)).exists()
        if self.decision == "approve":
            documents.action_approve(comment=self.comment)
        elif self.decision == "reject":
            documents.action_reject(self.comment)
        else:
            documents.action_emergency_release(self.comment)
        return {"type": "ir.actions.act_window_close"}
