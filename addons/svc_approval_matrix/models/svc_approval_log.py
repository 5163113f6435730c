import hashlib
import json
import logging

import psycopg2
from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

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

# The content a line's hash covers, in this order (the hash also covers the line's id and the
# previous line's hash of the same company: a reordered, changed or deleted line breaks the chain).
HASHED_COLUMNS = (
    "id", "event", "res_model", "res_id", "res_name", "request_id", "step_name", "user_id",
    "on_behalf_of_id", "comment", "final", "company_id", "create_date",
)  # fmt: skip
# One row per company: the last line of its chain. Appending locks it, so concurrent writers queue
# and a writer whose snapshot predates the last append fails and is replayed (never forks the chain).
CHAIN_HEAD_TABLE = "svc_approval_log_chain_head"
TAMPER_KEY = "approval_log_tampered"
PENDING_KEY = "svc_approval_log.chain_pending"


def line_hash(prev_hash, row):
    """sha256 hex of a line's content (a row of HASHED_COLUMNS, as read from the database)
    chained to the previous line's hash: a plain function, the same for append and verify."""
    content = dict(zip(HASHED_COLUMNS, row, strict=True))
    content["final"] = bool(content["final"])
    content["create_date"] = content["create_date"] and content["create_date"].isoformat()
    payload = json.dumps([prev_hash or "", content], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


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
    on_behalf_of_id = fields.Many2one("res.users", "On Behalf O", readonly=True)
    comment = fields.Text(readonly=True)
    final = fields.Boolean(readonly=True, help="This decision settled the document's approval.")
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )
    chained = fields.Boolean(
        default=True,
        readonly=True,
        copy=False,
        help="On the hash chain. Only the lines of refused attempts written apart from the refused "
        "transaction are not (they must not wait for the chain's head that transaction may hold).",
    )
    prev_hash = fields.Char(
        "Previous Hash", readonly=True, copy=False, help="Hash of the previous line of the same company."
    )
    line_hash = fields.Char(
        "Line Hash",
        readonly=True,
        copy=False,
        help="sha256 of this line's content chained to the previous line's hash: Verify recomputes it.",
    )

    def init(self):
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS svc_approval_log_chain_head (
                    company_id integer PRIMARY KEY,
                    last_id integer,
                    last_hash varchar
                )"""
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS svc_approval_log_chain_idx ON svc_approval_log "
            "(COALESCE(company_id, 0), id)"
        )

    @api.model_create_multi
    def create(self, vals_list):
        # the refusals' own lines, written apart by `_record_autonomous`, stay off the chain
        unchained = self.env.su and self.env.context.get("svc_log_unchained")
        for vals in vals_list:
            vals.pop("prev_hash", None)
            vals.pop("line_hash", None)
            vals["chained"] = not unchained
        lines = super().create(vals_list)
        if not unchained:
            lines._chain_schedule()
        return lines

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(_("The approval audit log is append-only: its lines cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("The approval audit log is append-only: its lines cannot be deleted."))

    def action_verify_chain(self):
        """Verify button: recompute every company's chain; a broken one raises a critical exception."""
        if not self.env.user.has_group("svc_approval_matrix.group_approval_manager"):
            raise AccessError(_("Only approval policy managers can verify the approval audit log."))
        broken = self._verify_chain()
        if broken:
            message = "\n".join(broken.values())
            notification = {"title": _("Audit log tampered"), "type": "danger", "sticky": True}
        else:
            message = _("Every line of the approval audit log matches its hash chain.")
            notification = {"title": _("Audit log verified"), "type": "success", "sticky": False}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": dict(notification, message=message),
        }

    @api.model
    def _cron_verify_chain(self):
        """Weekly check of the hash chain (a scheduled action): safe to re-run, it only reads."""
        self._verify_chain()

    # ---------------------------------------------------------- hash chain
    def _chain_schedule(self):
        """Chain these new lines when the transaction commits (a pre-commit hook), all the
        lines of the transaction in one pass: the company's head stays locked only while
        the transaction commits, and a batch of 1,000 decisions costs one read and one write."""
        data = self.env.cr.precommit.data
        if PENDING_KEY not in data:
            data[PENDING_KEY] = []
            self.env.cr.precommit.add(self.sudo()._chain_flush)
        data[PENDING_KEY].extend(self.ids)

    @api.model
    def _chain_flush(self):
        """Chain now the lines of this transaction not chained yet (commit, Verify, tests)."""
        pending = self.env.cr.precommit.data.pop(PENDING_KEY, None)
        if pending:
            self.sudo().browse(pending)._chain_append()

    def _chain_append(self):
        """Hash these new lines onto their company's chain, in id order.

        The company's head row is locked (SELECT ... FOR UPDATE) until the commit: a second
        writer waits; under Odoo's REPEATABLE READ its snapshot then predates the first
        writer's lines, so PostgreSQL refuses the lock with a serialization failure and Odoo
        replays the request, which appends after them. (An advisory lock alone would let that
        second writer read a stale last line and fork the chain.) Lines rolled back to a
        savepoint are simply gone from the read.
        """
        if not self:
            return
        cr = self.env.cr
        self.flush_recordset()
        cr.execute(
            f"SELECT {', '.join(HASHED_COLUMNS)} FROM svc_approval_log WHERE id IN %s ORDER BY id",
            [tuple(self.ids)],
        )
        rows_by_company = {}
        for row in cr.fetchall():
            rows_by_company.setdefault(row[HASHED_COLUMNS.index("company_id")] or 0, []).append(row)
        ids, prev_hashes, hashes = [], [], []
        for company_id in sorted(rows_by_company):  # one lock order: no deadlock between writers
            last_id, last_hash = self._chain_lock_head(company_id, exclude_ids=self.ids)
            for row in rows_by_company[company_id]:
                digest = line_hash(last_hash, row)
                ids.append(row[0])
                prev_hashes.append(last_hash)
                hashes.append(digest)
                last_id, last_hash = row[0], digest
            cr.execute(
                "UPDATE svc_approval_log_chain_head SET last_id = %s, last_hash = %s WHERE company_id = %s",
                [last_id, last_hash, company_id],
            )
        cr.execute(
            """UPDATE svc_approval_log AS line SET prev_hash = new.prev_hash, line_hash = new.line_hash
                 FROM unnest(%s::int[], %s::varchar[], %s::varchar[]) AS new(id, prev_hash, line_hash)
                WHERE line.id = new.id""",
            [ids, prev_hashes, hashes],
        )
        self.invalidate_recordset(["prev_hash", "line_hash"])

    @api.model
    def _chain_lock_head(self, company_id, exclude_ids=()):
        """Lock the company's chain head and return (last_id, last_hash); start the chain when
        the company has none yet, hashing in id order the lines written before the chain
        existed (an upgrade from a version without it), except `exclude_ids` (being appended)."""
        cr = self.env.cr
        cr.execute(
            "SELECT last_id, last_hash FROM svc_approval_log_chain_head WHERE company_id = %s FOR UPDATE",
            [company_id],
        )
        head = cr.fetchone()
        if head:
            return head
        cr.execute(
            "INSERT INTO svc_approval_log_chain_head (company_id) VALUES (%s) ON CONFLICT DO NOTHING",
            [company_id],
        )
        cr.execute(
            "SELECT last_id, last_hash FROM svc_approval_log_chain_head WHERE company_id = %s FOR UPDATE",
            [company_id],
        )
        last_id, last_hash = cr.fetchone()
        cr.execute(
            f"""SELECT {", ".join(HASHED_COLUMNS)} FROM svc_approval_log
                 WHERE COALESCE(company_id, 0) = %s AND line_hash IS NULL AND chained
                   AND NOT (id = ANY(%s))
              ORDER BY id""",
            [company_id, list(exclude_ids)],
        )
        ids, prev_hashes, hashes = [], [], []
        for row in cr.fetchall():
            digest = line_hash(last_hash, row)
            ids.append(row[0])
            prev_hashes.append(last_hash)
            hashes.append(digest)
            last_id, last_hash = row[0], digest
        if ids:
            _logger.info("approval audit log: %s earlier lines of company %s hashed", len(ids), company_id)
            cr.execute(
                """UPDATE svc_approval_log AS line SET prev_hash = new.prev_hash, line_hash = new.line_hash
                     FROM unnest(%s::int[], %s::varchar[], %s::varchar[]) AS new(id, prev_hash, line_hash)
                    WHERE line.id = new.id""",
                [ids, prev_hashes, hashes],
            )
            cr.execute(
                "UPDATE svc_approval_log_chain_head SET last_id = %s, last_hash = %s WHERE company_id = %s",
                [last_id, last_hash, company_id],
            )
        return last_id, last_hash

    @api.model
    def _chain_start_all(self):
        """Start the chain of every company that has log lines but no chain yet (upgrade):
        hash the earlier lines in order. Companies with a chain are not locked (Verify only reads).
        This transaction's own new lines are chained first (after the earlier ones)."""
        self._chain_flush()
        self.env.cr.execute(
            """SELECT DISTINCT COALESCE(company_id, 0) FROM svc_approval_log
                 WHERE COALESCE(company_id, 0) NOT IN (SELECT company_id FROM svc_approval_log_chain_head)"""
        )
        for (company_id,) in self.env.cr.fetchall():
            self._chain_lock_head(company_id)

    @api.model
    def _verify_chain(self):
        """Recompute each company's chain; return {company_id: why} for the broken ones, each
        naming the first line that does not match, and raise a critical exception on that line.

        A line changed behind the ORM's back no longer matches its hash; a deleted line breaks
        the next line's link (or the head, when it was the last one). Reads in batches.
        """
        self._chain_start_all()  # this transaction's lines, and those from before the chain
        cr = self.env.cr
        cr.execute("SELECT company_id, last_id, last_hash FROM svc_approval_log_chain_head")
        heads = {company_id: (last_id, last_hash) for company_id, last_id, last_hash in cr.fetchall()}
        broken, items = {}, []
        for company_id, (head_id, head_hash) in sorted(heads.items()):
            last_id, last_hash, first_bad = None, None, None
            after_id = 0
            while first_bad is None:
                cr.execute(
                    f"""SELECT {", ".join(HASHED_COLUMNS)}, prev_hash, line_hash FROM svc_approval_log
                         WHERE COALESCE(company_id, 0) = %s AND id > %s
                           AND (chained OR event <> 'denied') ORDER BY id LIMIT 5000""",
                    [company_id, after_id],
                )
                rows = cr.fetchall()
                if not rows:
                    break
                for row in rows:
                    content, prev_hash, stored_hash = row[: len(HASHED_COLUMNS)], row[-2], row[-1]
                    if (prev_hash or None) != (last_hash or None):
                        first_bad = (
                            row[0],
                            _("its link to the previous line is broken (a line was deleted?)"),
                        )
                        break
                    if stored_hash != line_hash(last_hash, content):
                        first_bad = (row[0], _("its content no longer matches its hash (changed)"))
                        break
                    last_id, last_hash = row[0], stored_hash
                after_id = rows[-1][0]
            if first_bad is None and (last_id, last_hash or None) != (head_id, head_hash or None):
                first_bad = (
                    last_id,
                    _("the chain ends here but line %s was appended after it (deleted?)", head_id),
                )
            if first_bad is None:
                continue
            bad_id, why = first_bad
            line = self.sudo().browse(bad_id).exists() or self.sudo().search(
                [("company_id", "=", company_id or False)], order="id desc", limit=1
            )
            message = _(
                "Approval audit log of %(company)s tampered at line %(line)s (%(doc)s, %(event)s): %(why)s.",
                company=self.env["res.company"].sudo().browse(company_id).name or _("no company"),
                line=bad_id,
                doc=line.res_name or "",
                event=dict(EVENTS).get(line.event, ""),
                why=why,
            )
            broken[company_id] = message
            if line:
                items.append({"record": line, "message": message, "severity": "critical"})
        if items:
            _logger.error("approval audit log tampered: %s", "; ".join(item["message"] for item in items))
            self.env["svc.exception"]._raise_many(TAMPER_KEY, "approval", items, severity="critical")
        return broken

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
                # off the hash chain: the caller's transaction may hold the chain's head until
                # it ends (a savepoint runs the chaining hook), and this line must not wait for it
                api.Environment(cr, SUPERUSER_ID, {"svc_log_unchained": True})[self._name].create(vals_list)
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
