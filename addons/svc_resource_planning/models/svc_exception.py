from odoo import api, fields, models


class SvcException(models.Model):
    """Staffing (conflicts with leave or capacity, the bench), timesheet, retainer and billing
    problems land in the shared exception queue. An exception about a project that opens,
    closes or changes category re-checks the billing readiness of the project's orders."""

    _inherit = "svc.exception"

    category = fields.Selection(
        selection_add=[("staffing", "Staffing"), ("timesheet", "Timesheets"), ("billing", "Billing")],
        ondelete={"staffing": "set default", "timesheet": "set default", "billing": "set default"},
    )

    @api.model_create_multi
    def create(self, vals_list):
        exceptions = super().create(vals_list)
        exceptions._svc_recheck_project_billing()
        return exceptions

    def write(self, vals):
        # Python, not an automation rule: the queue's batched raise writes each refreshed
        # exception, and a rule's pre/post searches would double its queries for every caller.
        if not {"state", "category"} & set(vals):
            return super().write(vals)
        before = {exception.id: (exception.state, exception.category) for exception in self}
        result = super().write(vals)
        self.filtered(
            lambda exception: before[exception.id] != (exception.state, exception.category)
        )._svc_recheck_project_billing()
        return result

    def _svc_recheck_project_billing(self):
        """Re-check the open readinesses of the projects some of these exceptions are about."""
        project_ids = {exception.res_id for exception in self if exception.res_model == "project.project"}
        if project_ids:
            self.env["svc.billing.readiness"]._svc_recheck_for(
                projects=self.env["project.project"].browse(project_ids)
            )
