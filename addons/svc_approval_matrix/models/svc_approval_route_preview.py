"""Route preview (dry run): who would approve a document, and why, without writing anything."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.svc_ops_base.models.rpc_args import ids_argument


class SvcApprovalPolicy(models.Model):
    _inherit = "svc.approval.policy"

    @api.model
    def preview(self, res_model, res_ids):
        """The approval route of each document as plain data (callable over RPC), writing nothing.

        Per document, in the order of `res_ids`: the policy that matches and why (its
        domain and amount range evaluated on the document), its steps in order with the
        approvers resolved now and the delegates standing in for them today, the SLA of each
        step, and every other policy of the model with the first reason it does not match.
        A document already submitted keeps the plan frozen at its submission: `in_flight`
        lists those steps, the route is what a new submission would get.
        """
        documents = self._preview_documents(res_model, res_ids)
        policies = self.search([("model_name", "=", res_model)])
        amounts = {}
        mismatches = {policy: policy._mismatches(documents, amounts) for policy in policies}
        matched = {
            document.id: next(
                (policy for policy in policies if mismatches[policy][document.id] is None), None
            )
            for document in documents
        }
        step_approvers, all_approvers = {}, self.env["res.users"]
        for document in documents:
            policy = matched[document.id]
            if not policy:
                continue
            requester = document._svc_approval_requester()
            for step in policy.step_ids:
                approvers = step._resolve_approvers(document, requester)
                step_approvers[(document.id, step.id)] = approvers
                all_approvers |= approvers
        delegations = self.env["svc.approval.delegation"]._delegations_of(all_approvers)
        in_flight = self._preview_in_flight(documents)
        result = []
        for document in documents:
            policy = matched[document.id]
            steps = policy.step_ids if policy else self.env["svc.approval.step"]
            flight = in_flight.get(document.id, [])
            result.append(
                {
                    "res_model": res_model,
                    "res_id": document.id,
                    "display_name": document.display_name,
                    "company": document._svc_approval_company().name,
                    "amount": amounts[document.id]
                    if document.id in amounts
                    else document._svc_approval_amount(),
                    "approval_state": document.approval_state,
                    "policy": policy._preview_match(document, amounts[document.id]) if policy else False,
                    "steps": [
                        _step_preview(step, step_approvers[(document.id, step.id)], delegations, index)
                        for index, step in enumerate(steps)
                    ],
                    "not_matched": [
                        other._preview_mismatch(
                            document, mismatches[other][document.id], policy, amounts.get(document.id)
                        )
                        for other in policies
                        if other != policy
                    ],
                    "in_flight": flight,
                    "note": _(
                        "Submitted: these steps keep the plan frozen at submission; the route above is what "
                        "a new submission would get."
                    )
                    if flight
                    else "",
                }
            )
        return result

    @api.model
    def _preview_documents(self, res_model, res_ids):
        """The documents to preview, readable by the caller, or a UserError that says why not."""
        if not isinstance(res_model, str) or res_model not in self.env:
            raise UserError(_("Route preview: %r is not a document model.", res_model))
        model = self.env[res_model]
        # by name, not by class: a registry rebuilt in the same process (tests) has new classes
        governed = model._name in self.pool.descendants(["svc.approval.mixin"], "_inherit")
        if model._abstract or model._transient or not governed:
            raise UserError(
                _("Route preview: %s documents are not governed by approval policies.", model._description)
            )
        ids = ids_argument(res_ids, "res_ids")
        if not ids:
            raise UserError(
                _("Route preview: give the ids of the %s documents to preview.", model._description)
            )
        missing = sorted({i for i in ids if not 0 < i < 2**31})
        documents = model.browse(ids)
        missing = missing or sorted(set(ids) - set(documents.exists().ids))
        if missing:
            raise UserError(
                _(
                    "Route preview: no %(model)s with id %(ids)s.",
                    model=model._description,
                    ids=", ".join(str(i) for i in missing[:10]) + (" ..." if len(missing) > 10 else ""),
                )
            )
        documents.check_access_rights("read")
        documents.check_access_rule("read")
        return documents

    @api.model
    def _preview_in_flight(self, documents):
        """{document id: [its current approval steps]} for the submitted documents."""
        requests = (
            self.env["svc.approval.request"]
            .sudo()
            .search(
                [
                    ("res_model", "=", documents._name),
                    ("res_id", "in", documents.ids),
                    ("state", "!=", "cancelled"),
                ]
            )
        )
        result = {}
        for request in requests.sorted(lambda req: (req.res_id, req.sequence, req.id)):
            result.setdefault(request.res_id, []).append(
                {
                    "step": request.name,
                    "state": request.state,
                    "approvers": [{"id": user.id, "name": user.name} for user in request.approver_ids],
                    "approved_by": [{"id": user.id, "name": user.name} for user in request.approved_by_ids],
                    "due_at": fields.Datetime.to_string(request.due_at) if request.due_at else False,
                }
            )
        return result

    def _preview_match(self, document, amount):
        """The matching policy and why it matches `document`."""
        self.ensure_one()
        why = [
            _("the document is in the domain %s", self.domain)
            if self._domain_list()
            else _("the policy governs every %s", document._description),
            _(
                "its amount %(amount)s is in [%(min)s, %(max)s)",
                amount=amount,
                min=self.amount_min,
                max=self.amount_max or _("no limit"),
            ),
        ]
        if "company_id" in document._fields:
            why.append(_("it belongs to %s (or to no company)", self.company_id.name))
        return {
            "id": self.id,
            "name": self.name,
            "sequence": self.sequence,
            "domain": self.domain or "[]",
            "amount_min": self.amount_min,
            "amount_max": self.amount_max,
            "currency": self.currency_id.name,
            "why": why,
        }

    def _preview_mismatch(self, document, code, winner, amount):
        """This policy, and the first reason it does not route `document`."""
        self.ensure_one()
        if code == "company":
            reason = _(
                "it governs documents of %(policy_company)s; this one belongs to %(company)s",
                policy_company=self.company_id.name,
                company=document._svc_approval_company().name,
            )
        elif code == "domain":
            reason = _("the document is not in its domain %s", self.domain)
        elif code == "below":
            reason = _(
                "the amount %(amount)s is below its 'Amount From' %(min)s", amount=amount, min=self.amount_min
            )
        elif code == "above":
            reason = _(
                "the amount %(amount)s is not below its 'Amount Below' %(max)s",
                amount=amount,
                max=self.amount_max,
            )
        else:
            code = "shadowed"
            reason = _("it matches too, but policy %s comes first (sequence)", winner.name)
        return {
            "id": self.id,
            "name": self.name,
            "sequence": self.sequence,
            "reason_code": code,
            "reason": reason,
        }


def _step_preview(step, approvers, delegations, index):
    """One step of a route preview: who may decide it now, the delegates standing in, its SLA."""
    env = step.env  # noqa: F841 (the language of _() below)
    return {
        "id": step.id,
        "sequence": index,
        "name": step.name,
        "approver_type": step.approver_type,
        "min_approvals": step.min_approvals,
        "sla_hours": step.sla_hours,
        "approvers": [
            {
                "id": user.id,
                "name": user.name,
                "delegates": [
                    {
                        "id": delegation.delegate_id.id,
                        "name": delegation.delegate_id.name,
                        "until": fields.Date.to_string(delegation.date_to),
                    }
                    for delegation in delegations.get(user.id, [])
                ],
            }
            for user in approvers
        ],
        "enough_approvers": len(approvers) >= step.min_approvals,
        "note": _("An approver of an earlier step cannot take this one.") if index else "",
    }
