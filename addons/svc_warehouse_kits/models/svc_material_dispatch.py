from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SvcMaterialDispatch(models.Model):
    """The dispatch step of a material request: sign-off before high-value serialized
    assets leave the warehouse.

    Opened when an approved request carries serialized items worth more than the
    company's dispatch threshold; governed by the approval policies of this model (the
    shipped one asks a warehouse manager); checked when the request's transfer is
    validated. A document of its own, so the request keeps its own approval and the
    dispatch gets its own steps, audit trail, SLA and emergency path from the engine.
    """

    _name = "svc.material.dispatch"
    _description = "Material Dispatch Approval"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin"]
    _order = "id desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    request_id = fields.Many2one(
        "svc.material.request",
        "Material Request",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    requested_by_id = fields.Many2one(related="request_id.requested_by_id", store=True, string="Requested By")
    project_id = fields.Many2one(related="request_id.project_id", store=True)
    warehouse_id = fields.Many2one(related="request_id.warehouse_id", store=True)
    needed_date = fields.Date(related="request_id.needed_date")
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="request_id.currency_id")
    serialized_value = fields.Monetary(
        readonly=True, tracking=True, currency_field="currency_id",
        help="Cost of the request's serialized items: what the dispatch policies compare.",
    )  # fmt: skip
    serialized_summary = fields.Text("Serialized Items", readonly=True)
    picking_ids = fields.One2many(related="request_id.picking_ids", string="Transfers")
    approver_missing = fields.Boolean(
        "No Eligible Approver", readonly=True, copy=False, index=True,
        help="No one but the requester may sign off this dispatch: it waits until a warehouse manager gives "
        "the step another approver and asks for approval again (an exception in the queue says so).",
    )  # fmt: skip

    _sql_constraints = [
        ("request_uniq", "unique(request_id)", "A material request has one dispatch approval."),
    ]

    @api.depends("request_id.name")
    def _compute_name(self):
        for dispatch in self:
            dispatch.name = _("Dispatch of %s", dispatch.request_id.name)

    # ---------------------------------------------------------------- hooks
    def _svc_approval_amount(self):
        return self.serialized_value

    def _svc_approval_requester(self):
        """The consultant who asked for the assets: never their own dispatch's approver."""
        return self.request_id.requested_by_id

    def _svc_approval_state_label(self):
        if self.approver_missing:
            return _("Waiting for an approver: no eligible warehouse manager")
        return super()._svc_approval_state_label()

    def _svc_on_approved(self):
        for dispatch in self:
            dispatch.request_id._message_log(
                body=_("Dispatch approved (%(state)s): its transfers can be validated.",
                       state=dispatch._svc_approval_state_label())
            )  # fmt: skip

    def _svc_on_rejected(self, reason):
        for dispatch in self:
            dispatch.request_id._message_log(
                body=_("Dispatch rejected by %(user)s: %(reason)s. The transfers stay blocked; cancel the "
                       "request or ask for the dispatch approval again.", user=self.env.user.name, reason=reason)
            )  # fmt: skip

    # -------------------------------------------------------------- actions
    def action_request_approval(self):
        """Ask the dispatch policies (again): once a warehouse manager gave the step an approver, a
        dispatch that was waiting for one leaves that state and its exception is resolved. A
        warehouse manager's decision (write access), as the Ask buttons say."""
        self.check_access_rights("write")
        self.check_access_rule("write")
        result = super().action_request_approval()
        found = self.filtered("approver_missing")
        if found:
            found.sudo().approver_missing = False
            self.env["svc.exception"].resolve_for(
                found, "dispatch_no_approver", _("Approval requested again.")
            )
        return result

    def action_view_request(self):
        """Open the material request."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "svc.material.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------- business
    def _request_approval_or_wait(self):
        """Ask the policies for the dispatches that someone can approve; the others (the requester
        is the only eligible warehouse manager) wait for an approver and an exception asks the
        warehouse managers for one, so the request's own approval never fails on its dispatch."""
        unstaffed = self._without_eligible_approver()
        (self - unstaffed).action_request_approval()
        if not unstaffed:
            return
        unstaffed.sudo().approver_missing = True
        exceptions = self.env["svc.exception"]
        for dispatch in unstaffed:
            requester = dispatch._svc_approval_requester()
            exceptions.raise_for(
                dispatch, "dispatch_no_approver", "approval",
                _("No eligible approver for %(name)s\n%(requester)s requested these serialized assets and is the "
                  "only user the dispatch policy would ask, but no one signs off their own request. Give the "
                  "Material Requests / Manager group another member (or the policy step another approver), then "
                  "press Ask for Approval on the dispatch.", name=dispatch.name, requester=requester.name),
                severity="high", owner=dispatch.request_id._warehouse_manager(exclude=requester),
                deadline=fields.Datetime.to_datetime(dispatch.needed_date),
            )  # fmt: skip

    def _without_eligible_approver(self):
        """The dispatches whose first policy step would have fewer eligible approvers than it needs."""
        policy_by_dispatch = self.env["svc.approval.policy"]._policy_by_document(self)

        def unstaffed(dispatch):
            step = policy_by_dispatch[dispatch].step_ids[:1]
            requester = dispatch._svc_approval_requester()
            return bool(step) and len(step._resolve_approvers(dispatch, requester)) < step.min_approvals

        return self.filtered(unstaffed)

    def _check_cleared(self, pickings):
        """Refuse to validate `pickings` while one of these dispatches is not approved; the
        refused attempt stays in the approval audit log."""
        blocked = self.filtered(lambda dispatch: dispatch.approval_state not in ("approved", "emergency"))
        if not blocked:
            return True
        policy_by_dispatch = self.env["svc.approval.policy"]._policy_by_document(blocked)
        blocked = blocked.filtered(
            lambda dispatch: (
                dispatch.approval_state in ("pending", "rejected")
                or dispatch.approver_missing
                or policy_by_dispatch[dispatch]
            )
        )
        if not blocked:
            return True
        names = ", ".join(pickings.mapped("name"))
        why = _("Validation of %s refused: dispatch not approved.", names)
        log_values = []
        for dispatch in blocked:
            steps = dispatch.approval_request_ids.filtered(lambda req: req.state != "cancelled").sorted(
                "sequence"
            )
            step = steps.filtered(lambda req: req.state in ("pending", "escalated"))[:1] or steps[-1:]
            log_values.append(
                step._log_values("denied", comment=why, document=dispatch)
                if step
                else dispatch._svc_document_log_values("denied", why)
            )
        self.env["svc.approval.log"]._record_autonomous(log_values)
        company = blocked[:1].company_id
        raise UserError(
            _("%(pickings)s cannot be validated yet: serialized assets above the dispatch threshold (%(threshold)s) "
              "leave only once a warehouse manager approves the dispatch. %(details)s",
              pickings=names, threshold=company.currency_id.format(company.svc_dispatch_threshold),
              details=" ".join(_("%(name)s: %(value)s, %(state)s.", name=dispatch.name,
                                 value=dispatch.currency_id.format(dispatch.serialized_value),
                                 state=dispatch._svc_approval_state_label()) for dispatch in blocked))
        )  # fmt: skip
