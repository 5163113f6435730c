from odoo import _, api, models


class SvcApprovalLineMixin(models.AbstractModel):
    """The lines of a governed document: a decision covers them too.

    A line model names its document (`_svc_approval_document_field`, a many2one to a model
    that inherits `svc.approval.mixin`). Creating, deleting a line, or writing one of the
    document's governed line fields (`_svc_approval_governed_line_fields` of the document)
    sends an approved document back to approval and routes a pending one again, as a change
    of the document's own governed fields does; writing a field that moves the amount
    (`_svc_approval_amount_line_fields`) does when the amount rises beyond the tolerance. Such a change also follows the document's
    access: whoever may not write the document may not change what its approval covers
    (a requester cannot edit the lines of another user's request).
    """

    _name = "svc.approval.line.mixin"
    _description = "Lines of a Governed Document"

    _svc_approval_document_field = None

    def _svc_approval_documents(self, vals_list=()):
        field = self._svc_approval_document_field
        documents = self.env[self._fields[field].comodel_name]
        ids = {vals[field] for vals in vals_list if isinstance(vals.get(field), int)}
        return (documents.browse(ids) | self.sudo()[field]).with_env(self.env)

    def _svc_approval_guard_lines(self, documents):
        """The caller must be allowed to write the documents whose decided lines change."""
        if not self.env.su and documents:
            documents.check_access_rights("write")
            documents.check_access_rule("write")
        return documents._svc_approval_snapshot()

    @api.model_create_multi
    def create(self, vals_list):
        documents = self._svc_approval_documents(vals_list)
        before = self._svc_approval_guard_lines(documents)
        lines = super().create(vals_list)
        if before:
            documents._svc_approval_recheck(before, _("lines added"))
        return lines

    def write(self, vals):
        field = self._svc_approval_document_field
        documents = self._svc_approval_documents([vals])
        governed = documents._svc_approval_governed_line_fields() & set(vals) if documents else set()
        amount_fields = documents._svc_approval_amount_line_fields() & set(vals) if documents else set()
        if not (governed or amount_fields or field in vals):
            return super().write(vals)
        before = self._svc_approval_guard_lines(documents)
        result = super().write(vals)
        if before:
            if governed:
                what = _("lines changed: %s", ", ".join(sorted(governed)))
            else:
                what = _("lines moved") if field in vals else None
            documents._svc_approval_recheck(before, what)
        return result

    def unlink(self):
        documents = self._svc_approval_documents()
        before = self._svc_approval_guard_lines(documents)
        result = super().unlink()
        if before:
            documents.exists()._svc_approval_recheck(
                {doc: amount for doc, amount in before.items() if doc.exists()}, _("lines removed")
            )
        return result
