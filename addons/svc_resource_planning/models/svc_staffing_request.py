from odoo import _, api, fields, models
from odoo.exceptions import UserError

REQUEST_STATES = [
    ("draft", "Draft"),
    ("open", "Open"),
    ("proposed", "Proposed"),
    ("staffed", "Staffed"),
    ("cancelled", "Cancelled"),
]


class SvcStaffingRequest(models.Model):
    """People a project (or a late-stage opportunity) needs: one line per role, each filled
    by an allocation chosen among ranked candidates.

    A provisional request (from an opportunity) books tentative allocations only; winning
    the opportunity makes it a normal request, losing it cancels it and frees the hours.
    """

    _name = "svc.staffing.request"
    _description = "Staffing Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin", "svc.requester.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("open", "proposed", "staffed")
    _order = "id desc"
    _check_company_auto = True
    _svc_requester_manager_groups = (
        "svc_approval_matrix.group_approval_manager",
        "svc_resource_planning.group_resource_manager",
    )

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    project_id = fields.Many2one(
        "project.project", index="btree_not_null", tracking=True, check_company=True, ondelete="restrict"
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        "Sales Order",
        index="btree_not_null",
        check_company=True,
        ondelete="set null",
        copy=False,
    )
    lead_id = fields.Many2one(
        "crm.lead", "Opportunity", index="btree_not_null", check_company=True, ondelete="set null", copy=False
    )
    requested_by_id = fields.Many2one(
        "res.users", "Requested By", required=True, default=lambda self: self.env.user, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        REQUEST_STATES, default="draft", required=True, readonly=True, tracking=True, index=True, copy=False
    )
    is_provisional = fields.Boolean(
        "Provisional",
        readonly=True,
        tracking=True,
        help="Opened for an opportunity: its allocations stay tentative.",
    )
    line_ids = fields.One2many("svc.staffing.request.line", "request_id", "Roles", copy=True)
    line_count = fields.Integer(compute="_compute_line_counts")
    filled_count = fields.Integer("Filled Roles", compute="_compute_line_counts")
    candidate_ids = fields.One2many("svc.staffing.candidate", "request_id", "Candidates", readonly=True)
    allocation_ids = fields.One2many(
        "svc.resource.allocation", "staffing_request_id", "Allocations", readonly=True
    )
    note = fields.Html()

    @api.depends("line_ids.allocation_id")
    def _compute_line_counts(self):
        for request in self:
            request.line_count = len(request.line_ids)
            request.filled_count = len(request.line_ids.filtered("allocation_id"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("svc.staffing.request") or _("New")
        return super().create(vals_list)

    # -------------------------------------------------------------- actions
    def action_submit(self):
        """Open draft requests for staffing (asking the approval policies first, when any
        governs them). Returns True."""
        not_draft = self.filtered(lambda request: request.state != "draft")
        if not_draft:
            raise UserError(
                _("Only draft requests can be submitted; %s is not.", ", ".join(not_draft.mapped("name")))
            )
        empty = self.filtered(lambda request: not request.line_ids)
        if empty:
            raise UserError(
                _("Add at least one role to %s before submitting it.", ", ".join(empty.mapped("name")))
            )
        self.action_request_approval()
        # a policy without steps approved them already (_svc_on_approved opened them)
        self.filtered(
            lambda request: (
                request.state == "draft" and request.approval_state in ("not_required", "approved")
            )
        ).write({"state": "open"})
        return True

    def action_find_candidates(self):
        """Rank candidates for every unfilled role of the requests. Returns True."""
        self.line_ids.filtered(lambda line: not line.allocation_id).action_find_candidates()
        return True

    def action_cancel(self):
        """Cancel the requests and free the hours their allocations hold. Returns True."""
        self.allocation_ids.filtered(lambda allocation: allocation.state != "cancelled").action_cancel()
        self.filtered(lambda request: request.state != "cancelled").write({"state": "cancelled"})
        return True

    def action_make_firm(self):
        """The opportunity is won: the request is no longer provisional. Returns True."""
        self.filtered("is_provisional").write({"is_provisional": False})
        return True

    # ------------------------------------------------------------ approval
    def _svc_approval_requester(self):
        self.ensure_one()
        return self.requested_by_id

    def _svc_on_approved(self):
        self.filtered(lambda request: request.state == "draft").write({"state": "open"})
        self._svc_book_provisional()

    # ------------------------------------------------------------ business
    def _svc_book_provisional(self):
        """Give each unfilled role of the open provisional requests to its best candidate, as
        tentative hours. Requests still draft (waiting for approval) or cancelled are left
        alone: approval calls this again. Safe to run twice (filled roles are skipped)."""
        requests = self.sudo().filtered(
            lambda request: request.is_provisional and request.state in ("open", "proposed")
        )
        lines = requests.line_ids.filtered(
            lambda line: not line.allocation_id or line.allocation_id.state == "cancelled"
        )
        for line in lines:
            line.action_find_candidates()
            best = line.candidate_ids.sorted("rank")[:1]
            if best:
                best.action_assign()
        return True

    @api.model
    def _svc_update_states(self, requests):
        """Follow the lines: staffed when every role has a confirmed allocation, proposed
        when some role has one, open otherwise."""
        for request in requests.filtered(lambda req: req.state in ("open", "proposed", "staffed")):
            allocations = request.line_ids.allocation_id.filtered(lambda alloc: alloc.state != "cancelled")
            if request.line_ids and all(line.allocation_id.state == "confirmed" for line in request.line_ids):
                state = "staffed"
            elif allocations:
                state = "proposed"
            else:
                state = "open"
            if request.state != state:
                request.state = state
