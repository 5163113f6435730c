import logging

import psycopg2
from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

EVENTS = [
    ("requested", "Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("escalated", "Escalated"),
    ("delegated", "Delegated"),
    ("emergency", "Emergency Release"),
    ("reset", "Reset"),
    ("denied", "Denied"),
]


class SvcApprovalLog(models.Model):
    """Append-only audit trail of every approval decision: nobody edits or deletes a line."""

    _name = "svc.approval.log"
    _description = "Approval Audit Log"
    _order = "id desc"
    _log_access = True

    event = fields.Selection(EVENTS, required=True, readonly=True, index=True)
    res_model = fields.Char("Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference("Document ID", model_field="res_model", readonly=True, index=True)
    res_name = fields.Char("Document", readonly=True)
    request_id = fields.Many2one(
        "svc.approval.request", readonly=True, ondelete="set null", index="btree_not_null"
    )
    step_name = fields.Char("Step", readonly=True)
    user_id = fields.Many2one("res.users", "By", readonly=True, default=lambda self: self.env.user)
    on_behalf_of_id = fields.Many2one("res.users", "On Behalf Of", readonly=True)
    comment = fields.Text(readonly=True)
    final = fields.Boolean(readonly=True, help="This decision settled the document's approval.")
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(_("The approval audit log is append-only: its lines cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("The approval audit log is append-only: its lines cannot be deleted."))

    @api.model
    def _record(self, vals_list):
        """Append lines as the system: whoever acted, the trail is always written.

        The automation rule that tells the requester runs once per line (Odoo runs a server
        action record by record): while the lines are created, its calls only collect them,
        and the requesters of the whole batch are told once per document model afterwards.
        The collection lives on the ORM transaction, out of reach of a client's context.
        """
        transaction = self.env.transaction
        outer = getattr(transaction, "svc_approval_notify_pending", None)
        transaction.svc_approval_notify_pending = pending = []
        try:
            lines = self.sudo().create(vals_list)
        finally:
            transaction.svc_approval_notify_pending = outer
        if pending:
            self.sudo().browse(pending)._notify_requester()
        return lines

    @api.model
    def _record_autonomous(self, vals_list):
        """Append lines in their own transaction, so they survive the refusal that follows.

        A `denied` line must outlive the UserError that rolls back the caller. When the
        referenced rows are not committed yet (the same transaction created them), the
        separate transaction cannot see them: then the lines go into this transaction.
        """
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '2s'")
                api.Environment(cr, SUPERUSER_ID, {})[self._name].create(vals_list)
        except psycopg2.Error as error:
            _logger.info("approval log written in the current transaction: %s", error)
            self._record(vals_list)

    def _notify_requester(self):
        """Tell the requester of each decision, on the document's chatter (used by an automation rule).

        One batch per document model (`_svc_post_batch`): the requester gets the message in their
        Inbox or by e-mail as they prefer; the decider is not made a follower and e-mails go
        through the mail queue. Called while `_record` creates lines, it only collects them.
        """
        pending = getattr(self.env.transaction, "svc_approval_notify_pending", None)
        if pending is not None:
            pending.extend(self.ids)
            return
        lines = self.filtered(
            lambda line: (
                line.request_id.requester_id
                and line.res_model in self.env
                and line.request_id.requester_id != line.user_id
            )
        )
        for model, model_lines in lines.grouped("res_model").items():
            documents = self.env[model].browse(list(set(model_lines.mapped("res_id")))).exists()
            if not hasattr(documents, "_svc_post_batch"):
                continue
            posts, author_id = {}, self.env.ref("base.partner_root").id
            existing = set(documents.ids)
            for line in model_lines:
                if line.res_id not in existing:
                    continue
                comment = " - " + line.comment if line.comment else ""
                body = _(
                    "%(who)s: %(event)s (%(step)s)%(comment)s",
                    who=line.user_id.name,
                    event=dict(EVENTS)[line.event],
                    step=line.step_name or "",
                    comment=comment,
                )
                # several decisions on one document in one batch: one message that says them all
                post = posts.setdefault(
                    line.res_id, {"body": Markup(), "partner_ids": [], "author_id": author_id}
                )
                post["body"] = (
                    Markup("<br/>").join([post["body"], escape(body)]) if post["body"] else escape(body)
                )
                post["partner_ids"] = list(
                    {*post["partner_ids"], *line.request_id.requester_id.partner_id.ids}
                )
            documents.sudo()._svc_post_batch(posts)
