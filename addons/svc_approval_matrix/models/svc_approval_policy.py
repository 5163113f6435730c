from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval


class SvcApprovalPolicy(models.Model):
    """Which documents need approval, and by whom: the first matching policy wins.

    A policy matches a document of its model when the document is in its domain and
    its approval amount (company currency) lies in [amount_min, amount_max).
    """

    _name = "svc.approval.policy"
    _description = "Approval Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10, tracking=True)
    model_id = fields.Many2one(
        "ir.model",
        "Document Model",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("transient", "=", False)],
    )
    model_name = fields.Char(related="model_id.model", store=True, index=True)
    domain = fields.Char(
        default="[]", tracking=True, help="Which documents of the model this policy governs."
    )
    amount_min = fields.Monetary("Amount From", currency_field="currency_id", tracking=True)
    amount_max = fields.Monetary(
        "Amount Below", currency_field="currency_id", tracking=True, help="Leave 0 for no upper limit."
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    reapprove_on_change = fields.Boolean(
        "Re-approve on Change",
        help="An approved document whose amount rises beyond the tolerance, or whose governed fields or "
        "lines change, goes back to pending.",
    )
    reapprove_tolerance_pct = fields.Float(
        "Tolerance (%)",
        tracking=True,
        help="A rise of the approved amount up to this percentage keeps the approval.",
    )
    reapprove_tolerance_amount = fields.Monetary(
        "Tolerance (Amount)",
        currency_field="currency_id",
        tracking=True,
        help="A rise of the approved amount up to this amount keeps the approval. With both tolerances "
        "set, a rise must stay within both; with none, any rise goes back.",
    )
    step_ids = fields.One2many("svc.approval.step", "policy_id", "Steps", copy=True)

    @api.constrains("amount_min", "amount_max")
    def _check_amounts(self):
        for policy in self:
            if policy.amount_max and policy.amount_max <= policy.amount_min:
                raise ValidationError(
                    _(
                        "Policy %s: 'Amount Below' must be greater than 'Amount From', or 0 for no limit.",
                        policy.name,
                    )
                )

    @api.constrains("domain", "model_id")
    def _check_domain(self):
        for policy in self:
            try:
                self.env[policy.model_name].search_count(policy._domain_list())
            except Exception as error:
                raise ValidationError(
                    _("Policy %(policy)s has an invalid domain: %(error)s", policy=policy.name, error=error)
                ) from error

    def _domain_list(self):
        self.ensure_one()
        return safe_eval(self.domain or "[]", {"uid": self.env.uid})

    def _company_domain(self, documents):
        """A policy governs documents of its own company (and those that have none)."""
        self.ensure_one()
        if "company_id" not in documents._fields:
            return []
        return ["|", ("company_id", "=", False), ("company_id", "=", self.company_id.id)]

    def _svc_beyond_tolerance(self, approved_amount, amount):
        """The amount rose past what this policy tolerates after approval: any rise when no
        tolerance is set, else a rise beyond either tolerance that is set (the percentage of
        the approved amount, the amount)."""
        self.ensure_one()
        rise = amount - approved_amount
        if rise <= 0:
            return False
        limits = [
            limit
            for limit in (
                abs(approved_amount) * self.reapprove_tolerance_pct / 100,
                self.reapprove_tolerance_amount,
            )
            if limit > 0
        ]
        return not limits or rise > min(limits)

    def _amount_matches(self, amount):
        self.ensure_one()
        return amount >= self.amount_min and (not self.amount_max or amount < self.amount_max)

    def _mismatches(self, documents, amounts):
        """{document id: why this policy does not govern it, or None when it does}.

        The reason is the first check that fails, in the order the engine applies them:
        'company', 'domain', 'below' (under Amount From), 'above' (at or over Amount Below).
        `amounts` caches `_svc_approval_amount()` by document id across policies (filled here,
        only for the documents that reach the amount check).
        """
        self.ensure_one()
        company_domain = self._company_domain(documents)
        in_company = documents.filtered_domain(company_domain) if company_domain else documents
        domain = self._domain_list()
        in_domain = set((in_company.filtered_domain(domain) if domain else in_company).ids)
        in_company = set(in_company.ids)
        result = {}
        for document in documents:
            if document.id not in in_company:
                result[document.id] = "company"
            elif document.id not in in_domain:
                result[document.id] = "domain"
            else:
                if document.id not in amounts:
                    amounts[document.id] = document._svc_approval_amount()
                amount = amounts[document.id]
                if amount < self.amount_min:
                    result[document.id] = "below"
                elif self.amount_max and amount >= self.amount_max:
                    result[document.id] = "above"
                else:
                    result[document.id] = None
        return result

    @api.model
    def _policy_by_document(self, documents):
        """Map each document to the first policy that governs it (or an empty recordset).

        One search per candidate policy, never one per document.
        """
        result = {document: self.browse() for document in documents}
        if not documents:
            return result
        policies = self.search([("model_name", "=", documents._name)])
        undecided, amounts = documents, {}
        for policy in policies:
            if not undecided:
                break
            mismatches = policy._mismatches(undecided, amounts)
            matched = undecided.filtered(lambda document, m=mismatches: m[document.id] is None)
            for document in matched:
                result[document] = policy
            undecided -= matched
        return result
