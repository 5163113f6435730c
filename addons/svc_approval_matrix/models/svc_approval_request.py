from collections import defaultdict
from datetime import timedelta

import psycopg2.errors
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

ACTIVE_STATES = ("pending", "escalated")


class SvcApprovalRequest(models.Model):
    """One step of one document's approval: who may decide, by when, and what they decided.

    `approver_ids` is stored (requester excluded, people who decided earlier steps
    excluded), so "what can I approve" is one indexed query, whatever the backlog.
    """

    _name = "svc.approval.request"
    _description = "Approval Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.related.record.mixin"]
    _order = "id desc"

    name = fields.Char("Step", required=True, readonly=True)
    res_model = fields.Char("Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        "Document ID", model_field="res_model", required=True, readonly=True, index=True
    )
    res_name = fields.Char("Document", compute="_compute_res_name")
    policy_id = fields.Many2one("svc.approval.policy", readonly=True, ondelete="restrict")
    step_id = fields.Many2one("svc.approval.step", "Policy Step", readonly=True, ondelete="set null")
    sequence = fields.Integer(readonly=True)
    kind = fields.Selection(
        [("approval", "Approval"), ("review", "Post-event Review")],
        default="approval",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("escalated", "Escalated"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="waiting",
        readonly=True,
        index=True,
    )
    requester_id = fields.Many2one("res.users", readonly=True, index=True)
    approver_ids = fields.Many2many(
        "res.users",
        "svc_approval_request_approver_rel",
        "request_id",
        "user_id",
        string="Approvers",
        readonly=True,
    )
    approved_by_ids = fields.Many2many(
        "res.users",
        "svc_approval_request_approved_rel",
        "request_id",
        "user_id",
        string="Approved By",
        readonly=True,
    )
    min_approvals = fields.Integer("Approvals Needed", default=1, readonly=True)
    due_at = fields.Datetime("Due", readonly=True, index="btree_not_null")
    escalated_at = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one("res.users", "Decided By", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    on_behalf_of_id = fields.Many2one("res.users", "On Behalf Of", readonly=True)
    comment = fields.Text(readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")
    approval_activity_ids = fields.One2many(
        "mail.activity",
        "svc_approval_request_id",
        "Approver To-dos",
        readonly=True,
        help="The to-dos this step put on the document for its approvers (closed once it is decided).",
    )

    @api.depends_context("uid")
    @api.depends("state", "approver_ids", "approved_by_ids")
    def _compute_can_decide(self):
        deciders = self._deciders()
        for request in self:
            request.can_decide = (
                request.state in ACTIVE_STATES
                and bool(request.approver_ids & deciders)
                and not request.approved_by_ids & deciders
            )

    def _search_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search 'Can Decide' with = True or = False."))
        return [("id", "in" if (operator == "=") == value else "not in", self._sql_decidable("id"))]

    @api.model
    def _sql_decidable(self, column, res_model=None):
        """Sub-select of `column` of the open steps the current user can decide now.

        One query on stored, indexed columns: the approver relation is scanned by user
        (its (user_id, request_id) index), delegations are folded in as a sub-select.
        """
        self.flush_model(["state", "res_model", "res_id", "approver_ids", "approved_by_ids"])
        self.env["svc.approval.delegation"].flush_model(
            ["delegator_id", "delegate_id", "date_from", "date_to", "active"]
        )
        today = fields.Date.context_today(self)
        deciders = SQL(
            "(SELECT %s UNION SELECT delegator_id FROM svc_approval_delegation"
            " WHERE delegate_id = %s AND active AND date_from <= %s AND date_to >= %s)",
            self.env.uid, self.env.uid, today, today,
        )  # fmt: skip
        model_filter = SQL("AND r.res_model = %s", res_model) if res_model else SQL()
        return SQL(
            """(SELECT %s FROM svc_approval_request r
                 JOIN svc_approval_request_approver_rel a ON a.request_id = r.id
                WHERE a.user_id IN %s AND r.state IN %s %s
                  AND NOT EXISTS (SELECT 1 FROM svc_approval_request_approved_rel d
                                   WHERE d.request_id = r.id AND d.user_id IN %s))""",
            SQL.identifier("r", column), deciders, ACTIVE_STATES, model_filter, deciders,
        )  # fmt: skip

    def write(self, vals):
        """A step that leaves the open states (approved, rejected, cancelled) closes its to-dos:
        done here, whatever path decided it (decision, rejection, reset, emergency release).
        Approvers set by any path are kept to users of the request's company."""
        closing = self.browse()
        if vals.get("state") and vals["state"] not in ACTIVE_STATES:
            closing = self.filtered(lambda request: request.state in ACTIVE_STATES)
        result = super().write(vals)
        if "approver_ids" in vals or "company_id" in vals:
            self._drop_foreign_approvers()
        if closing:
            closing._svc_close_activities(feedback=vals.get("comment") or False)
        return result

    def _deciders(self):
        """The current user and everyone who delegated to them today."""
        return self.env.user | self.env["svc.approval.delegation"]._delegators_of(self.env.user)

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._drop_foreign_approvers()
        return requests

    def _drop_foreign_approvers(self):
        """Whoever set them (a step, an escalation, an emergency review), approvers are users
        of the request's company: a user of another company is never asked, nor told."""
        for request in self:
            foreign = request.approver_ids.filtered(
                lambda user, req=request: req.company_id not in user.company_ids
            )
            if foreign:
                request.write({"approver_ids": [Command.unlink(user.id) for user in foreign]})

    def action_approve(self, comment=None):
        """Approve from the request list: the same rules as on the documents."""
        for documents in self._documents_by_model():
            documents.action_approve(comment=comment)
        return True

    def action_reject(self, reason):
        """Reject from the request list: the same rules as on the documents."""
        for documents in self._documents_by_model():
            documents.action_reject(reason)
        return True

    def _documents_by_model(self):
        """The governed documents of these steps, one recordset per model (decided in batch)."""
        gone = self.filtered(lambda request: not request._related_record())
        if gone:
            raise UserError(
                _("The document of %s no longer exists: there is nothing left to decide.",
                  ", ".join(gone.mapped("name")))
            )  # fmt: skip
        ids_by_model = defaultdict(list)
        for request in self:
            ids_by_model[request.res_model].append(request.res_id)
        return [self.env[model].browse(ids) for model, ids in ids_by_model.items()]

    def _activate(self):
        """Open these waiting steps: resolve their approvers, start their SLA clock, give the
        approvers their to-dos."""
        now = fields.Datetime.now()
        for request in self:
            document = request._related_record()
            decided_before = self.search(
                [
                    ("res_model", "=", request.res_model),
                    ("res_id", "=", request.res_id),
                    ("state", "=", "approved"),
                ]
            ).approved_by_ids
            approvers = request.step_id._resolve_approvers(document, request.requester_id) - decided_before
            request._check_enough_approvers(approvers, document)
            request.write(
                {
                    "state": "pending",
                    "approver_ids": [(6, 0, approvers.ids)],
                    "due_at": now + timedelta(hours=request.step_id.sla_hours or 0)
                    if request.step_id.sla_hours
                    else False,
                }
            )
        self._svc_open_activities()

    # ---------------------------------------------------------- approver to-dos
    def _svc_open_activities(self):
        """Tell the people who can decide these open steps: one to-do each on the document.

        Why a link on the activity (`svc_approval_request_id`, set in the same insert) rather
        than finding the to-dos again by document, user and activity type: an approver may have
        other to-dos of that type on the document (a later step, an escalation, one scheduled by
        hand), while the link names exactly the step's own, with one indexed column, and a
        deleted step takes its to-dos with it.

        An approver away on a current delegation has the to-do go to their delegate (unless the
        delegate requested the document: the requester never gets the approver's to-do). One
        create for all steps of the batch (`_svc_create_batch`), one batched notice
        (`_svc_tell_approvers`); documents without activities are skipped.
        """
        # by name, not by class: a registry rebuilt in the same process (tests) has new classes
        with_activities = self.pool.descendants(["mail.activity.mixin"], "_inherit")
        requests = self.filtered(
            lambda request: request.state in ACTIVE_STATES and request.res_model in with_activities
        )
        if not requests:
            return self.env["mail.activity"]
        activity_type = self.env.ref(
            "svc_approval_matrix.mail_activity_type_approval", raise_if_not_found=False
        ) or self.env.ref("mail.mail_activity_data_todo")
        delegates = self.env["svc.approval.delegation"]._delegates_of(requests.approver_ids)
        documents = {
            model: self.env[model].browse(reqs.mapped("res_id"))
            for model, reqs in requests.grouped("res_model").items()
        }
        values_list = []
        for request in requests:
            assigned = request.approval_activity_ids.user_id
            users = self.env["res.users"]
            for approver in request.approver_ids - request.approved_by_ids:
                delegate = delegates.get(approver)
                users |= delegate if delegate and delegate != request.requester_id else approver
            document = documents[request.res_model].browse(request.res_id)
            for user in users - request.requester_id - assigned:
                local = request.with_context(tz=user.tz or self.env.context.get("tz"))
                values_list.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(request.res_model),
                        "res_id": request.res_id,
                        "res_name": document.display_name,
                        "user_id": user.id,
                        "activity_type_id": activity_type.id,
                        "summary": _("Approve %(document)s: %(step)s step",
                                     document=document.display_name, step=request.name),
                        "note": request._svc_decision_links(
                            user, _("Requested by %s.", request.requester_id.name or "")
                        ),
                        "date_deadline": fields.Date.context_today(local, request.due_at or None),
                        "automated": True,
                        "svc_approval_request_id": request.id,
                    }
                )  # fmt: skip
        activities = self.env["mail.activity"]._svc_create_batch(values_list)
        self._svc_tell_approvers(activities)
        return activities

    @api.model
    def _svc_tell_approvers(self, activities, listed=30):
        """Tell the people just given to-dos, once per call: one message for each group of
        people given the same documents, on the first of them, listing the to-dos (the first
        `listed`). It reaches each person in their Inbox or by e-mail as they prefer (Odoo's
        notification preference; e-mails go through the mail queue).

        Odoo's own assignment e-mail is one rendered and sent per activity (the to-dos are
        created without it): 1,000 documents submitted at once for one approver make one
        message here, not 1,000. Documents without a chatter have the to-do only.
        """
        for model, model_activities in activities.grouped("res_model").items():
            documents = self.env[model].sudo()
            if not hasattr(documents, "_svc_post_batch"):
                continue
            # people given the same steps get the same message
            groups = {}
            for user, todos in model_activities.grouped("user_id").items():
                key = tuple(todos.svc_approval_request_id.ids)
                groups[key] = (groups[key][0], groups[key][1] | user) if key in groups else (todos, user)
            rounds = [{}]
            for todos, users in groups.values():
                res_id = todos[0].res_id
                post_round = next((posts for posts in rounds if res_id not in posts), None)
                if post_round is None:
                    rounds.append(post_round := {})
                # one person: each line carries their own signed Approve / Reject links
                lines = [
                    todo.svc_approval_request_id._svc_decision_links(users, line) if len(users) == 1 else line
                    for todo in todos[:listed]
                    for line in [_("%(summary)s, due %(deadline)s", summary=todo.summary,
                                   deadline=format_date(self.env, todo.date_deadline))]
                ]  # fmt: skip
                if len(todos) > listed:
                    lines.append(_("and %s more: see Approvals > To Approve.", len(todos) - listed))
                post_round[res_id] = {
                    "subject": todos[0].summary
                    if len(todos) == 1
                    else _("%s approvals wait for you", len(todos)),
                    "body": Markup("<br/>").join([_("For %s:", ", ".join(users.mapped("name"))), *lines]),
                    "partner_ids": users.partner_id.ids,
                }
            for posts in rounds:
                documents._svc_post_batch(posts)

    def _svc_close_activities(self, feedback=False, only=None):
        """Close the to-dos of these steps, or of the (request id, user id) pairs in `only`.

        The current user's own to-do is marked done (the document's chatter says who settled
        it, with their comment); the others' are deleted: there is nothing they did to record,
        and the decision itself is in the audit log.
        """
        activities = self.sudo().approval_activity_ids
        if only is not None:
            activities = activities.filtered(
                lambda activity: (activity.svc_approval_request_id.id, activity.user_id.id) in only
            )
        own = activities.filtered(
            lambda activity: (
                activity.user_id == self.env.user and hasattr(self.env[activity.res_model], "_message_create")
            )
        )
        if own:
            own._svc_done_batch(feedback=feedback)
        (activities - own).unlink()

    def _check_enough_approvers(self, approvers, document):
        self.ensure_one()
        if len(approvers) < self.min_approvals:
            raise UserError(
                _(
                    "Step '%(step)s' of policy '%(policy)s' needs %(count)s distinct approver(s) for %(document)s, "
                    "but only %(found)s eligible user(s) remain once the requester and earlier approvers are "
                    "excluded. Ask an administrator to add approvers to the policy.",
                    step=self.name,
                    policy=self.policy_id.name,
                    count=self.min_approvals,
                    document=document.display_name,
                    found=len(approvers),
                )
            )

    def _lock_for_decision(self):
        """Lock the steps so that two simultaneous decisions cannot both count.

        The second decider does not wait: they get a clear error at once, and once the
        first decision is committed, the step is no longer open for them.
        """
        if not self:
            return
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM svc_approval_request WHERE id IN %s FOR UPDATE NOWAIT", [tuple(self.ids)]
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _("Someone else is deciding %s right now. Reload to see their decision.",
                  ", ".join(f"'{request.name}' of {request.res_name}" for request in self))
            ) from None  # fmt: skip
        self.invalidate_recordset()
        decided = self.filtered(lambda request: request.state not in ACTIVE_STATES)
        if decided:
            raise UserError(
                _("%s was decided meanwhile. Reload to see the decision.",
                  ", ".join(f"Step '{request.name}' of {request.res_name} (by "
                            f"{request.decided_by_id.name or _('another approver')})" for request in decided))
            )  # fmt: skip

    @api.model
    def _cron_escalate_overdue(self, batch_size=500):
        """Escalate pending steps past their SLA: add the escalation approvers, tell them, log it.

        Escalated steps leave the 'pending' state, so running the job again changes nothing.
        """
        overdue = self.search(
            [("state", "=", "pending"), ("due_at", "<", fields.Datetime.now())], limit=batch_size
        )
        log_values = []
        for request in overdue:
            step = request.step_id
            extra = (
                step._escalation_users(request.company_id) - request.requester_id - request.approved_by_ids
            )
            request.write(
                {
                    "state": "escalated",
                    "escalated_at": fields.Datetime.now(),
                    "approver_ids": [(4, uid) for uid in extra.ids],
                }
            )
            document = request._related_record()
            note = _(
                "Approval step '%(step)s' of %(document)s is past its SLA (due %(due)s).",
                step=request.name,
                document=request.res_name,
                due=request.due_at,
            )
            for user in extra or request.approver_ids:
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=_("Escalated approval"),
                    note=note,
                    svc_approval_request_id=request.id,
                )
            self.env["svc.exception"].raise_for(
                request,
                "approval_escalated",
                "approval",
                note,
                severity="high",
                owner=extra[:1] or request.approver_ids[:1],
            )
            log_values.append(request._log_values("escalated", comment=note, document=document))
        self.env["svc.approval.log"]._record(log_values)
        return len(overdue)

    def _log_values(self, event, comment=None, on_behalf_of=None, document=None, user=None):
        self.ensure_one()
        return {
            "event": event,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "res_name": (document or self._related_record() or self).display_name,
            "request_id": self.id,
            "step_name": self.name,
            "user_id": (user or self.env.user).id,
            "on_behalf_of_id": on_behalf_of.id if on_behalf_of else False,
            "comment": comment,
            "company_id": self.company_id.id,
        }
