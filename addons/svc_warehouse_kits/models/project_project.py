from odoo import _, models


class ProjectProject(models.Model):
    """A project that slips gives its reserved material back; an archived one cancels its requests."""

    _inherit = "project.project"

    def write(self, vals):
        result = super().write(vals)
        requests = self.env["svc.material.request"].search(
            [
                ("project_id", "in", self.ids),
                ("state", "in", ("draft", "to_approve", "approved", "in_progress")),
            ]
        )
        if vals.get("active") is False and requests:
            requests.action_cancel()
            for request in requests:
                request.message_post(body=_("Cancelled: project %s was closed.", request.project_id.name))
        elif "date_start" in vals or "date" in vals:
            requests._check_slip()
        return result
