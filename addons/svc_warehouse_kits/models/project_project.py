from odoo import _, models


class ProjectProject(models.Model):
    """A project that slips gives its reserved material back; an archived or cancelled one
    (Odoo's "Canceled" project stage) cancels its requests."""

    _inherit = "project.project"

    def write(self, vals):
        result = super().write(vals)
        if not ({"active", "stage_id", "date_start", "date"} & set(vals)):
            return result
        # the consequence is the system's: whoever moved the project may not manage the requests
        requests = (
            self.env["svc.material.request"]
            .sudo()
            .search(
                [
                    ("project_id", "in", self.ids),
                    ("state", "in", ("draft", "to_approve", "approved", "in_progress")),
                ]
            )
        )
        cancelled_stage = self.env.ref("project.project_project_stage_3", raise_if_not_found=False)
        closed = vals.get("active") is False or (
            cancelled_stage and vals.get("stage_id") == cancelled_stage.id
        )
        if closed and requests:
            requests.action_cancel()
            for request in requests:
                request.message_post(body=_("Cancelled: project %s was closed.", request.project_id.name))
        elif "date_start" in vals or "date" in vals:
            requests._check_slip()
        return result
