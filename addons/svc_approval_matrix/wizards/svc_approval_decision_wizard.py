import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


def parse_ids(text):
    """The ids of `text`, a JSON list of positive integers ("[1, 2]") or "1,2": nothing else.

    Ids are data, never code: the text is parsed, not evaluated.
    """
    text = (text or "").strip()
    try:
        ids = json.loads(text) if text.startswith("[") else [int(part) for part in text.split(",")]
    except ValueError:
        ids = None
    if (
        not isinstance(ids, list)
        or not ids
        or not all(
            isinstance(res_id, int) and not isinstance(res_id, bool) and 0 < res_id < 2**31 for res_id in ids
        )
    ):
        raise ValidationError(
            _("The documents to decide must be a list of record ids, such as [12, 13]; got %r.", text[:80])
        )
    return ids


class SvcApprovalDecisionWizard(models.TransientModel):
    """Asks for the comment, rejection reason or emergency justification of a decision."""

    _name = "svc.approval.decision.wizard"
    _description = "Approval Decision"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True, help="The ids of the documents, as a JSON list: [12, 13].")
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject"), ("emergency", "Emergency Release")],
        required=True,
        default="approve",
    )
    comment = fields.Text()

    @api.constrains("res_ids")
    def _check_res_ids(self):
        for wizard in self:
            parse_ids(wizard.res_ids)

    def action_confirm(self):
        """Apply the decision to the documents with the governed document's own rules."""
        self.ensure_one()
        if self.res_model not in self.env or "approval_state" not in self.env[self.res_model]._fields:
            raise UserError(_("%s is not a document governed by approval policies.", self.res_model))
        documents = self.env[self.res_model].browse(parse_ids(self.res_ids)).exists()
        if not documents:
            raise UserError(_("The documents to decide no longer exist."))
        documents.check_access_rights("read")
        documents.check_access_rule("read")
        if self.decision == "approve":
            documents.action_approve(comment=self.comment)
        elif self.decision == "reject":
            documents.action_reject(self.comment)
        else:
            documents.action_emergency_release(self.comment)
        return {"type": "ir.actions.act_window_close"}
