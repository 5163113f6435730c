from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

from .svc_billing_readiness import FINANCE_GROUP, OPEN_EXCEPTION_STATES


class ProjectProject(models.Model):
    """A project can be put on billing hold: an open Billing exception on it blocks the
    billing readiness of its orders (check "No blocking exception") until it is resolved."""

    _inherit = "project.project"

    svc_open_exception_count = fields.Integer("Open Exceptions", compute="_compute_svc_open_exception_count")
    svc_budget = fields.Monetary(
        "Budget", currency_field="currency_id", readonly=True, tracking=True,
        help="The project's budget: raised by approved Budget Increase service requests (Community has no "
        "project budget of its own).",
    )  # fmt: skip
    svc_service_request_ids = fields.One2many("svc.service.request", "project_id", "Service Requests")

    def _compute_svc_open_exception_count(self):
        """Every open exception about the project, seen or not by the viewer: the same ones
        that the billing readiness check counts (names are on the readiness anyway)."""
        counts = dict(
            self.env["svc.exception"].sudo()._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids),
                 ("state", "in", OPEN_EXCEPTION_STATES)],
                ["res_id"], ["__count"],
            )
        )  # fmt: skip
        for project in self:
            project.svc_open_exception_count = counts.get(project.id, 0)

    def action_svc_hold_billing(self):
        """Open the Hold Billing dialog: its reason becomes an open Billing exception on the project."""
        self.ensure_one()
        self._svc_check_can_hold_billing()
        return {
            "type": "ir.actions.act_window",
            "name": _("Hold Billing"),
            "res_model": "svc.billing.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_project_id": self.id},
        }

    def action_svc_view_exceptions(self):
        """The exceptions about this project (open first)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("svc_ops_base.action_svc_exception")
        action.update(
            name=_("Exceptions of %s", self.display_name),
            domain=[("res_model", "=", self._name), ("res_id", "=", self.id)],
            context={"search_default_open": 1},
            view_mode="tree,kanban,form",
        )
        return action

    def _svc_check_can_hold_billing(self):
        """Project managers (who may edit the project), the project's own manager and finance."""
        if self.env.su or self.env.user.has_group(FINANCE_GROUP):
            return
        for project in self:
            if project.user_id == self.env.user:
                continue
            try:
                project.check_access_rights("write")
                project.check_access_rule("write")
            except AccessError as error:
                raise AccessError(
                    _("Only the project's manager, project administrators and finance may hold the "
                      "billing of %s.", project.display_name)
                ) from error  # fmt: skip

    def _svc_hold_billing(self, reason, details=None, severity="high"):
        """Open one Billing exception per project, owned by whoever holds it (so they see it
        and resolve it in the queue); creating it re-checks the readinesses. Returns them."""
        self._svc_check_can_hold_billing()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why billing is on hold: the reason is what finance reads."))
        exceptions = self.env["svc.exception"].sudo().create([
            {"name": reason, "message": details or reason, "category": "billing", "severity": severity,
             "res_model": "project.project", "res_id": project.id, "owner_id": self.env.uid,
             "company_id": (project.company_id or self.env.company).id}
            for project in self
        ])  # fmt: skip
        return exceptions.sudo(False)

    def _svc_new_service_request(self, effect):
        """Open a new service request of the given kind for this project."""
        self.ensure_one()
        kind = self.env["svc.service.request.type"].search([("effect", "=", effect)], limit=1)
        if not kind:
            raise UserError(
                _("No active service request type for this kind of request: ask an administrator.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": kind.name,
            "res_model": "svc.service.request",
            "view_mode": "form",
            "target": "current",
            "context": {"default_type_id": kind.id, "default_project_id": self.id},
        }

    def action_svc_request_overtime(self):
        return self._svc_new_service_request("overtime")

    def action_svc_request_budget_increase(self):
        return self._svc_new_service_request("budget_increase")
