from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    svc_staffing_department_ids = fields.Many2many(
        "hr.department",
        "svc_staffing_user_department_rel",
        "user_id",
        "department_id",
        string="Staffed Departments",
        help="Resource planning: when set, this user sees the allocations and capacity of these "
        "departments only (within their companies). Empty: every department.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "svc_staffing_department_ids" in vals:
            # the department record rules read this field: their cached domains are stale
            self.env.registry.clear_cache()
        return result
