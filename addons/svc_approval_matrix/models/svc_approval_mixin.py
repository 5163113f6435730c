from collections import defaultdict
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.svc_ops_base.models.rpc_args import optional_text_argument, text_argument

from .svc_approval_request import ACTIVE_STATES


def _group(items, key, value):
    """[(key, recordset of values)] for `items`, in first-seen order of the keys."""
    groups = {}
    for item in items:
        k = key(item)
        groups[k] = groups[k] | value(item) if k in groups else value(item)
    return list(groups.items())


# Set by the engine only (as superuser): a client that could write them could approve itself.
ENGINE_FIELDS = frozenset({"approval_state", "approval_policy_id"})

APPROVAL_STATES = [
    ("not_required", "Not Required"),
    ("pending", "Pending Approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("emergency", "Emergency Release"),
]


class SvcApprovalMixin(models.AbstractModel):
    """Put a document under approval policies.

    A governed document calls `action_request_approval()` where its workflow needs a
    decision, and `_svc_approval_check()` right before its governed transition (a clear
    refusal while approval is missing). It may override `_svc_approval_amount()`,
    `_svc_approval_requester()`, `_svc_approval_governed_fields()` and react to the
    outcome in `_svc_on_approved()` / `_svc_on_rejected(reason)`.
    """

    _name = "svc.approval.mixin"
    _description = "Approval Policies Mixin"

    # The gate: a governed model names its workflow state field and the values that lie past
    # the approval. No create or write puts a document into those values while its approval is
    # required and not granted, whoever calls (the administrator and the superuser included),
    # except where the engine's own flow cleared it in this transaction (see
    # `_svc_approval_release`). None: the model has no such field (its approval_state says it).
    _svc_approval_state_field = None
    _svc_approval_gated_states = ()

    approval_state = fields.Selection(
        APPROVAL_STATES, default="not_required", required=True, copy=False, readonly=True, index=True
    )
    approval_policy_id = fields.Many2one("svc.approval.policy", "Approval Policy", copy=False, readonly=True)
    approval_request_ids = fields.One2many(
        "svc.approval.request",
        "res_id",
        "Approval Steps",
        domain=lambda self: [("res_model", "=", self._name)],
        copy=False,
        readonly=True,
    )
    approval_log_ids = fields.One2many(
        "svc.approval.log",
        "res_id",
        "Approval Log",
        domain=lambda self: [("res_model", "=", self._name)],
        copy=False,
        readonly=True,
    )
    can_approve = fields.Boolean(
        "Can Approve", compute="_compute_can_approve", search="_search_can_approve",
        help="The current user (or someone who delegated to them) can decide the current step.",
    )  # fmt: skip

    @api.depends_context("uid")
    @api.depends("approval_state")
    def _compute_can_approve(self):
        decidable = self.env["svc.approval.request"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids), ("can_decide", "=", True)]
        )
        decidable_ids = set(decidable.mapped("res_id"))
        for document in self:
            document.can_approve = document.id in decidable_ids

    def _search_can_approve(self, operator, value):
        """One SQL query on stored, indexed request fields: never loads documents in Python."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search 'Can Approve' with = True or = False."))
        positive = (operator == "=") == value
        decidable = self.env["svc.approval.request"]._sql_decidable("res_id", res_model=self._name)
        return [("id", "in" if positive else "not in", decidable)]

    # ------------------------------------------------------------------ hooks
    def _svc_approval_amount(self):
        """The amount policies compare with their range, in the company currency."""
        self.ensure_one()
        return 0.0

    def _svc_approval_requester(self):
        """Who asked: never allowed to approve their own document."""
        self.ensure_one()
        return self.create_uid or self.env.user

    def _svc_approval_governed_fields(self):
        """Fields whose change sends an approved document back to approval (with the policy's
        'Re-approve on Change'); a rise of the approval amount always does."""
        return set()

    def _svc_on_approved(self):
        """Called once the last step is approved or the document is released on the emergency path."""

    def _svc_on_rejected(self, reason):
        """Called when an approver rejects the document."""

    # ----------------------------------------------------------------- CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(ENGINE_FIELDS & set(vals) for vals in vals_list):
            raise AccessError(
                _("A new document starts without approval: create it, then submit it to its approval policy.")
            )
        documents = super().create(vals_list)
        field = self._svc_approval_state_field
        if field and any(vals.get(field) in self._svc_approval_gated_states for vals in vals_list):
            documents.filtered(lambda doc: doc[field] in self._svc_approval_gated_states)._svc_approval_gate()
        return documents

    def write(self, vals):
        if not self.env.su and ENGINE_FIELDS & set(vals):
            raise AccessError(
                _(
                    "Only the approval engine sets the approval state of %(docs)s: submit, approve or "
                    "reject it instead.",
                    docs=", ".join(self.mapped("display_name")),
                )
            )
        governed = self._svc_approval_governed_fields() & set(vals)
        before = self._svc_approval_snapshot()
        field = self._svc_approval_state_field
        entering = self.browse()
        if field and vals.get(field) in self._svc_approval_gated_states:
            entering = self.filtered(lambda doc: doc[field] not in self._svc_approval_gated_states)
        result = super().write(vals)
        if entering:
            # checked on the values just written (an amount changed in the same call counts)
            entering._svc_approval_gate()
        if before:
            self._svc_approval_recheck(before, governed and _("changed %s", ", ".join(sorted(governed))))
        return result

    # ---------------------------------------------------- what was decided
    def _svc_approval_snapshot(self):
        """{document: amount} before a change, for the documents a change can send back:
        pending ones (the change may route them to another policy) and approved ones whose
        policy asks to re-approve on change. Empty for the engine's own writes."""
        if self.env.su and self.env.context.get("svc_approval_no_reset"):
            return {}
        watched = self.filtered(
            lambda doc: (
                doc.approval_state == "pending"
                or (doc.approval_state == "approved" and doc.approval_policy_id.reapprove_on_change)
            )
        )
        return {doc: doc._svc_approval_amount() for doc in watched}

    def _svc_approval_recheck(self, before, governed_change=None):
        """After a change of the header or of the lines: send back to approval what the
        decision no longer covers, with the before and after in the audit log.

        An approved document goes back when `governed_change` (a sentence, or None) names
        governed fields or lines, or when its amount rose beyond its policy's tolerance. A
        pending one is routed again when the change makes another policy govern it.
        """
        pending = [doc for doc in before if doc.approval_state == "pending"]
        policy_by_document = self.env["svc.approval.policy"]._policy_by_document(
            self.browse([doc.id for doc in pending])
        )
        reasons = {}
        for doc, amount_before in before.items():
            amount = doc._svc_approval_amount()
            what = [governed_change] if governed_change else []
            if amount != amount_before:
                what.append(
                    _(
                        "amount %(before)s -> %(after)s",
                        before=f"{amount_before:,.2f}",
                        after=f"{amount:,.2f}",
                    )
                )
            if not what:
                continue
            if doc.approval_state == "pending":
                if policy_by_document[doc] != doc.approval_policy_id:
                    reasons[doc] = _("Changed while waiting for approval (%(what)s): routed again, policy %(policy)s.",
                                     what="; ".join(what), policy=policy_by_document[doc].name or _("none"))  # fmt: skip
            elif governed_change or doc.approval_policy_id._svc_beyond_tolerance(amount_before, amount):
                reasons[doc] = _("Changed after approval (%s): approval asked again.", "; ".join(what))
        if reasons:
            changed = self.browse([doc.id for doc in reasons])
            changed._svc_approval_reset({doc.id: reason for doc, reason in reasons.items()})
            changed.action_request_approval()

    def _svc_approval_governed_line_fields(self):
        """Fields of the lines (`svc.approval.line.mixin`) whose change is a change of what was
        decided, whatever the amount (the product); a line added or removed always is."""
        return set()

    def _svc_approval_amount_line_fields(self):
        """Fields of the lines that move the approval amount (quantity, price): their change
        sends an approved document back when the amount rises beyond the policy's tolerance."""
        return set()

    # -------------------------------------------------------------- actions
    def action_request_approval(self):
        """Ask the policies: create the steps of every governed document in one batch.

        A document no policy governs becomes 'Not Required'; a policy without steps
        approves at once. Returns True (callable over RPC).
        """
        return self._svc_approval_submit()

    def _svc_approval_submit(self, policy_by_document=None):
        """`action_request_approval` with the policies already matched by the caller
        (`_policy_by_document` of these documents): a workflow that matched them to decide
        whether to ask need not match them a second time."""
        busy = self.filtered(lambda doc: doc.approval_state in ("pending", "approved", "emergency"))
        if busy:
            raise UserError(
                _(
                    "Approval was already requested for: %s. Wait for the decision, or reset the document first.",
                    ", ".join(busy.mapped("display_name")),
                )
            )
        if policy_by_document is None:
            policy_by_document = self.env["svc.approval.policy"]._policy_by_document(self)
        now = fields.Datetime.now()
        request_values, documents_by_policy, auto_approved = [], defaultdict(list), self.browse()
        for document in self:
            policy = policy_by_document[document]
            if not policy:
                continue
            documents_by_policy[policy].append(document.id)
            if not policy.step_ids:
                auto_approved |= document
                continue
            requester = document._svc_approval_requester()
            for index, step in enumerate(policy.step_ids):
                values = {
                    "name": step.name,
                    "res_model": document._name,
                    "res_id": document.id,
                    "policy_id": policy.id,
                    "step_id": step.id,
                    "sequence": index,
                    "requester_id": requester.id,
                    "min_approvals": step.min_approvals,
                    "company_id": document._svc_approval_company().id,
                }
                if index == 0:
                    approvers = step._resolve_approvers(document, requester)
                    if len(approvers) < step.min_approvals:
                        self.env["svc.approval.request"].new(values)._check_enough_approvers(
                            approvers, document
                        )
                    values.update(
                        state="pending",
                        approver_ids=[Command.set(approvers.ids)],
                        due_at=now + timedelta(hours=step.sla_hours) if step.sla_hours else False,
                    )
                request_values.append(values)
        requests = (
            self.env["svc.approval.request"]
            .sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(request_values)
        )
        first_steps = requests.filtered(lambda request: request.state == "pending")
        first_steps._svc_open_activities()
        log = self.env["svc.approval.log"]
        log._record(
            [request._log_values("requested", user=self.env.user, document=self.browse(request.res_id))
             for request in first_steps]
        )  # fmt: skip
        for policy, document_ids in documents_by_policy.items():
            self.browse(document_ids).sudo().with_context(svc_approval_no_reset=True).write(
                {"approval_state": "pending", "approval_policy_id": policy.id}
            )
        ungoverned = self.filtered(lambda doc: not policy_by_document[doc])
        if ungoverned:
            ungoverned.sudo().with_context(svc_approval_no_reset=True).write(
                {"approval_state": "not_required", "approval_policy_id": False}
            )
        if auto_approved:
            auto_approved._svc_approval_finish("approved")
            log._record(
                [doc._svc_document_log_values("approved", _("Approved automatically by policy %s (no steps).",
                                                            doc.approval_policy_id.name)) for doc in auto_approved]
            )  # fmt: skip
            auto_approved.sudo()._svc_on_approved()
        return True

    def _svc_approval_ask(self):
        """At the governed transition of these documents (Confirm), ask the policies once for
        the batch: submit those a policy governs, clear the others for the gate in this
        transaction (a past rejection is forgotten: they no longer need approval). Returns the
        governed documents, pending now or approved at once by a policy without steps."""
        undecided = self.filtered(lambda doc: doc.approval_state not in ("approved", "emergency"))
        policy_by_document = self.env["svc.approval.policy"]._policy_by_document(undecided)
        governed = undecided.filtered(lambda doc: policy_by_document[doc])
        ungoverned = undecided - governed
        ungoverned._svc_approval_release()
        ungoverned.filtered(lambda doc: doc.approval_state == "rejected").sudo().with_context(
            svc_approval_no_reset=True
        ).write({"approval_state": "not_required", "approval_policy_id": False})
        if governed:
            governed._svc_approval_submit(policy_by_document)
        return governed

    def action_approve(self, comment=None):
        """Approve the current step of each document as the current user (or as the delegate
        of an approver). Documents are decided together: one lock, one write per kind of
        change, one batch of log lines, whatever their number (an RPC client may approve many).
        """
        comment = optional_text_argument(comment, _("The comment"))
        claims = self._svc_approval_claims()
        requests = (
            self.env["svc.approval.request"].browse([request.id for _doc, request, _seat in claims]).sudo()
        )
        for seat, seat_requests in _group(claims, key=lambda claim: claim[2], value=lambda claim: claim[1]):
            seat_requests.sudo().write({"approved_by_ids": [Command.link(seat.id)]})
        completed = requests.filtered(lambda request: len(request.approved_by_ids) >= request.min_approvals)
        # a step that still needs another approver: only the decider's (and the seat's) to-do goes
        (requests - completed)._svc_close_activities(
            feedback=comment or False,
            only={(request.id, user.id) for _doc, request, seat in claims for user in seat | self.env.user},
        )
        log_values, to_finish, to_activate, reviewed = [], self.browse(), [], self.browse()
        for document, request, seat in claims:
            on_behalf = seat if seat != self.env.user else None
            following = document.approval_request_ids.filtered(lambda req: req.state == "waiting")
            step_done = request in completed
            final = step_done and (request.kind == "review" or not following)
            values = request._log_values(
                "approved", comment=comment, on_behalf_of=on_behalf, document=document
            )
            log_values.append(dict(values, final=final))
            if not step_done:
                continue
            if request.kind == "review":
                reviewed |= document
            elif following:
                to_activate.append(following.sorted("sequence")[:1])
            else:
                to_finish |= document
        self.env["svc.approval.log"]._record(log_values)
        now = fields.Datetime.now()
        for on_behalf, step_requests in _group(
            [claim for claim in claims if claim[1] in completed],
            key=lambda claim: claim[2] if claim[2] != self.env.user else None,
            value=lambda claim: claim[1],
        ):
            step_requests.sudo().write(
                {"state": "approved", "decided_by_id": self.env.uid, "decided_at": now,
                 "on_behalf_of_id": on_behalf.id if on_behalf else False, "comment": comment}
            )  # fmt: skip
        if reviewed:
            self.env["svc.exception"].resolve_for(
                reviewed,
                "approval_emergency_review",
                _("Post-event review approved by %s.", self.env.user.name),
            )
        if to_activate:
            self.env["svc.approval.request"].concat(*to_activate).sudo()._activate()
        if to_finish:
            # authorised above: the outcome runs as the system (an approver need not have
            # the rights to create the transfers or orders the document triggers)
            to_finish.sudo()._svc_approval_finish("approved")
            to_finish.sudo()._svc_on_approved()
        return True

    def action_reject(self, reason):
        """Reject the document: one rejection ends its approval; the reason is required."""
        reason = text_argument(
            reason, _("Say why you reject: the reason is kept in the audit trail and shown to the requester.")
        )
        for document in self:
            [(_doc, request, seat)] = document._svc_approval_claims()
            on_behalf = seat if seat != self.env.user else None
            request.sudo().write(
                {
                    "state": "rejected",
                    "decided_by_id": self.env.uid,
                    "decided_at": fields.Datetime.now(),
                    "on_behalf_of_id": on_behalf.id if on_behalf else False,
                    "comment": reason,
                }
            )
            document._svc_log_decision(request, "rejected", reason, on_behalf, final=True)
            if request.kind == "review":
                self.env["svc.exception"].raise_for(
                    document, "approval_emergency_review", "approval",
                    _("Post-event review of %(doc)s rejected: %(reason)s", doc=document.display_name, reason=reason),
                    severity="critical",
                )  # fmt: skip
                continue
            document.approval_request_ids.filtered(lambda req: req.state == "waiting").sudo().write(
                {"state": "cancelled"}
            )
            document.sudo()._svc_approval_finish("rejected")
            document.sudo()._svc_on_rejected(reason)
        return True

    def action_emergency_release(self, justification):
        """Release now, review later: only the Emergency Release group, with a justification.

        The pending steps are cancelled, a post-event review step is opened for the
        policy managers and an exception stays open in the queue until it is approved.
        """
        if not self.env.user.has_group("svc_approval_matrix.group_approval_emergency"):
            for document in self:
                document._svc_deny(
                    document.approval_request_ids.filtered(lambda req: req.state in ACTIVE_STATES)[:1],
                    _("not in the Emergency Release group"),
                )
            raise UserError(
                _("Only members of the Emergency Release group may release a document without approval.")
            )
        justification = text_argument(
            justification, _("Justify the emergency release: it is reviewed after the fact.")
        )
        reviewers_group = self.env.ref("svc_approval_matrix.group_approval_manager")
        for document in self:
            if document.approval_state not in ("pending", "not_required", "rejected"):
                raise UserError(
                    _("%(doc)s is %(state)s: only a document waiting for approval can be released.",
                      doc=document.display_name, state=document._svc_approval_state_label())
                )  # fmt: skip
            policy = (
                document.approval_policy_id
                or self.env["svc.approval.policy"]._policy_by_document(document)[document]
            )
            document.approval_request_ids.filtered(
                lambda req: req.state in ("waiting", *ACTIVE_STATES)
            ).sudo().write({"state": "cancelled"})
            company = document._svc_approval_company()
            # who released never reviews the release; only the policy managers of the document's company do
            reviewers = (
                reviewers_group.users.filtered(
                    lambda user, company=company: not user.share and company in user.company_ids
                )
                - self.env.user
            )
            review = (
                self.env["svc.approval.request"]
                .sudo()
                .create(
                    {
                        "name": _("Post-event review"),
                        "kind": "review",
                        "res_model": document._name,
                        "res_id": document.id,
                        "policy_id": policy.id,
                        "sequence": 999,
                        "state": "pending",
                        "requester_id": self.env.uid,
                        "approver_ids": [Command.set(reviewers.ids)],
                        "min_approvals": 1,
                        "due_at": fields.Datetime.now() + timedelta(hours=24),
                        "company_id": document._svc_approval_company().id,
                    }
                )
            )
            review._svc_open_activities()
            document.sudo().with_context(svc_approval_no_reset=True).write(
                {"approval_state": "emergency", "approval_policy_id": policy.id}
            )
            self.env["svc.approval.log"]._record(
                [dict(review._log_values("emergency", comment=justification, document=document), final=True)]
            )
            self.env["svc.exception"].raise_for(
                document,
                "approval_emergency_review",
                "approval",
                _("Emergency release of %(doc)s needs its post-event review\n%(why)s",
                  doc=document.display_name, why=justification),
                severity="high",
                owner=reviewers[:1],
                deadline=review.due_at,
            )  # fmt: skip
            document._svc_post(_("Released on the emergency path: %s", justification))
            document.sudo()._svc_on_approved()
        return True

    def action_open_decision_wizard(self):
        """Open the dialog that asks for the comment, reason or justification of a decision."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Decision"),
            "res_model": "svc.approval.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_ids": str(self.ids),
                "default_decision": self.env.context.get("svc_decision", "approve"),
            },
        }

    # --------------------------------------------------------------- guard
    def _svc_approval_check(self):
        """Refuse the governed transition while approval is missing (call it right before, for
        a clear refusal before the workflow starts; the gate refuses the state change anyway)."""
        missing = self._svc_approval_blocked()
        if missing:
            raise UserError(
                _("Approval is missing for %s. Request approval and wait for the approvers' decision.",
                  ", ".join(f"{doc.display_name} ({doc._svc_approval_state_label()})" for doc in missing))
            )  # fmt: skip
        return True

    def _svc_approval_blocked(self):
        """The documents among these whose approval is required and not granted: pending or
        rejected ones, and those a policy governs that never asked (unless the engine's flow
        cleared them in this transaction)."""
        released = self._svc_approval_released_ids()
        undecided = self.filtered(
            lambda doc: doc.approval_state not in ("approved", "emergency") and doc.id not in released
        )
        asked = undecided.filtered(lambda doc: doc.approval_state in ("pending", "rejected"))
        unasked = undecided - asked
        return asked | (unasked._svc_approval_required() if unasked else unasked)

    def _svc_approval_required(self):
        """The documents among these (not asked yet) that a policy governs. A model whose
        workflow asks only in some cases (an allocation over the threshold) narrows it."""
        policy_by_document = self.env["svc.approval.policy"]._policy_by_document(self)
        return self.filtered(lambda doc: policy_by_document[doc])

    def _svc_approval_released_ids(self):
        """Ids of this model's documents the engine's own flow cleared in this transaction
        (it asked the policies and none governs them): the gate does not ask twice.

        Kept on the ORM transaction, never in the context: a client can send any context key
        over RPC, but it cannot reach the transaction.
        """
        transaction = self.env.transaction
        if not hasattr(transaction, "svc_approval_released"):
            transaction.svc_approval_released = defaultdict(set)
        return transaction.svc_approval_released[self._name]

    def _svc_approval_release(self):
        """Let these documents pass the gate in this transaction: the calling flow asked the
        policies for them and none governs them. Only server code reaches it (a leading
        underscore: not callable over RPC)."""
        self._svc_approval_released_ids().update(self.ids)

    def _svc_approval_gate(self):
        """Refuse the state change of the documents whose approval is required and not granted:
        one sentence per document, each attempt kept in the audit log as `denied`."""
        blocked = self._svc_approval_blocked()
        if not blocked:
            return
        state_field = self._fields[self._svc_approval_state_field]
        state_labels = dict(state_field._description_selection(self.env))
        reasons, log_values = [], []
        for document in blocked:
            request = document.approval_request_ids.filtered(lambda req: req.state in ACTIVE_STATES).sorted(
                "sequence"
            )[:1]
            if document.approval_state == "pending" and request:
                reason = _(
                    "%(doc)s waits for approval by %(who)s (step %(step)s); approve it or use the emergency "
                    "release",
                    doc=document.display_name,
                    who=", ".join(request.approver_ids.mapped("name")) or _("nobody yet"),
                    step=request.name,
                )
            elif document.approval_state == "rejected":
                reason = _("%s was rejected; correct it and request approval again", document.display_name)
            else:
                reason = _(
                    "%s needs approval under its policy; request approval and wait for the decision",
                    document.display_name,
                )
            reasons.append(reason)
            why = _(
                "%(user)s tried to set %(field)s to '%(value)s' without approval",
                user=self.env.user.name,
                field=state_field.string,
                value=state_labels.get(document[state_field.name]),
            )
            log_values.append(
                request._log_values("denied", comment=why, document=document)
                if request
                else document._svc_document_log_values("denied", why)
            )
        self.env["svc.approval.log"]._record_autonomous(log_values)
        raise UserError("\n".join(f"{reason}." for reason in reasons))

    # ------------------------------------------------------------- internal
    def _svc_approval_company(self):
        self.ensure_one()
        company = self.company_id if "company_id" in self._fields else False
        return company or self.env.company

    def _svc_approval_state_label(self):
        self.ensure_one()
        return dict(APPROVAL_STATES)[self.approval_state]

    def _svc_approval_claims(self):
        """Check that the current user may decide the current step of each document now;
        lock those steps; return [(document, request, seat)] where seat is the approver
        whose place the user takes (themselves, or someone who delegated to them)."""
        user = self.env.user
        delegators = None
        claims = []
        for document in self:
            request = document.approval_request_ids.filtered(lambda req: req.state in ACTIVE_STATES).sorted(
                "sequence"
            )[:1]
            if not request:
                raise UserError(
                    _("%(doc)s is not waiting for a decision (approval status: %(state)s).",
                      doc=document.display_name, state=document._svc_approval_state_label())
                )  # fmt: skip
            # the requester never decides: nor the approval of their document, nor the review of
            # their own emergency release (not even through a delegation)
            if user == request.requester_id:
                document._svc_deny(request, _("the requester cannot approve their own document"))
            earlier = document.approval_request_ids.filtered(
                lambda req, current=request: req.state == "approved" and req != current
            )
            if user in earlier.approved_by_ids:
                document._svc_deny(request, _("already approved an earlier step of this document"))
            if user in request.approved_by_ids:
                document._svc_deny(request, _("already approved this step; another approver must add theirs"))
            deciders = user
            if user not in request.approver_ids:
                if delegators is None:
                    delegators = self.env["svc.approval.delegation"]._delegators_of(user)
                deciders |= delegators
            seats = (request.approver_ids & deciders) - request.approved_by_ids - earlier.approved_by_ids
            if not seats:
                document._svc_deny(request, _("not an approver of this step"))
            claims.append((document, request, user if user in seats else seats[0]))
        requests = self.env["svc.approval.request"].browse([request.id for _doc, request, _seat in claims])
        requests._lock_for_decision()
        for document, request, seat in claims:
            if seat in request.approved_by_ids:
                raise UserError(
                    _("%(who)s already approved step '%(step)s' of %(doc)s meanwhile. Reload to see it.",
                      who=seat.name, step=request.name, doc=document.display_name)
                )  # fmt: skip
        return claims

    def _svc_deny(self, request, why):
        """Log the refused attempt in its own transaction, then refuse with a clear message."""
        self.ensure_one()
        values = (
            request._log_values("denied", comment=why, document=self)
            if request
            else self._svc_document_log_values("denied", why)
        )
        self.env["svc.approval.log"]._record_autonomous([values])
        approvers = ", ".join(request.approver_ids.mapped("name")) if request else ""
        raise UserError(
            _("You cannot decide %(doc)s: %(why)s.%(who)s",
              doc=self.display_name, why=why,
              who=_(" Approvers of this step: %s.", approvers) if approvers else "")
        )  # fmt: skip

    def _svc_log_decision(self, request, event, comment, on_behalf, final=False):
        values = request._log_values(event, comment=comment, on_behalf_of=on_behalf, document=self)
        self.env["svc.approval.log"]._record([dict(values, final=final)])

    def _svc_document_log_values(self, event, comment):
        self.ensure_one()
        return {
            "event": event,
            "res_model": self._name,
            "res_id": self.id,
            "res_name": self.display_name,
            "comment": comment,
            "company_id": self._svc_approval_company().id,
            "user_id": self.env.uid,
        }

    def _svc_approval_finish(self, state):
        self.sudo().with_context(svc_approval_no_reset=True).write({"approval_state": state})

    def _svc_approval_reset(self, reason):
        """Send documents back to the start of their approval: every step of the previous
        round is cancelled (decisions stay in the audit log), so the new round starts clean.
        `reason`: one sentence for all, or {document id: sentence}."""
        self.approval_request_ids.filtered(lambda req: req.state != "cancelled").sudo().write(
            {"state": "cancelled"}
        )
        reasons = reason if isinstance(reason, dict) else dict.fromkeys(self.ids, reason)
        self.env["svc.approval.log"]._record(
            [doc._svc_document_log_values("reset", reasons[doc.id]) for doc in self]
        )
        self.sudo().with_context(svc_approval_no_reset=True).write({"approval_state": "not_required"})

    def _svc_post(self, body):
        """A note in the document's chatter, when it has one (logged: works without an email)."""
        if hasattr(self, "_message_log"):
            self._message_log(body=body)
