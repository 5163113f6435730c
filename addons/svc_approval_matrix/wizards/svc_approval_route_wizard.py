from markupsafe import Markup

from odoo import _, api, fields, models


class SvcApprovalRouteWizard(models.TransientModel):
    """Approval Route: the route preview of the documents it is opened from, as a page to read."""

    _name = "svc.approval.route.wizard"
    _description = "Approval Route"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    route_html = fields.Html("Route", compute="_compute_route_html", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        """Opened from a document's button: its model and ids come in the context."""
        values = super().default_get(fields_list)
        context = self.env.context
        values.setdefault("res_model", context.get("active_model"))
        values.setdefault("res_ids", context.get("active_ids") or [context.get("active_id")])
        return values

    @api.depends("res_model", "res_ids")
    def _compute_route_html(self):
        for wizard in self:
            routes = self.env["svc.approval.policy"].preview(wizard.res_model, wizard.res_ids)
            wizard.route_html = Markup("").join(_route_html(self.env, route) for route in routes)


def _users(users):
    """'Ann (delegate: Bob until 2026-12-10), Carl', escaped."""
    names = []
    for user in users:
        delegates = ", ".join(f"{d['name']} until {d['until']}" for d in user.get("delegates", []))
        names.append(f"{user['name']} (delegate: {delegates})" if delegates else user["name"])
    return ", ".join(names)


def _route_html(env, route):
    """One document's route preview as HTML (every value escaped)."""
    parts = [Markup("<h3>%s</h3>") % route["display_name"]]
    policy = route["policy"]
    if policy:
        parts.append(Markup("<p><strong>%s</strong> %s</p>") % (_("Policy:"), policy["name"]))
        parts.append(
            Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % why for why in policy["why"])
        )
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (
                step["name"],
                _users(step["approvers"]) or _("nobody: submission is refused"),
                step["min_approvals"],
                _("%s h", step["sla_hours"]) if step["sla_hours"] else _("none"),
            )
            for step in route["steps"]
        )
        parts.append(
            Markup("<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
                   "</thead><tbody>%s</tbody></table>")
            % (_("Step"), _("Approvers now"), _("Needed"), _("SLA"), rows)
        )  # fmt: skip
    else:
        parts.append(Markup("<p>%s</p>") % _("No policy governs this document: it needs no approval."))
    if route["not_matched"]:
        parts.append(Markup("<p><strong>%s</strong></p>") % _("Policies that do not match:"))
        parts.append(
            Markup("<ul>%s</ul>")
            % Markup("").join(
                Markup("<li>%s: %s</li>") % (other["name"], other["reason"]) for other in route["not_matched"]
            )
        )
    if route["in_flight"]:
        parts.append(Markup("<p class='text-muted'>%s</p>") % route["note"])
        parts.append(
            Markup("<ul>%s</ul>")
            % Markup("").join(
                Markup("<li>%s (%s): %s</li>") % (step["step"], step["state"], _users(step["approvers"]))
                for step in route["in_flight"]
            )
        )
    return Markup("").join(parts)
