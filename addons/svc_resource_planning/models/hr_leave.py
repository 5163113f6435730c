from odoo import _, models


class HrLeave(models.Model):
    _inherit = "hr.leave"

    def _validate_leave_request(self):
        """Leave validated after the staffing was done may put allocations over capacity:
        each conflicting allocation lands in the exception queue with alternatives."""
        result = super()._validate_leave_request()
        leaves = self.filtered(lambda leave: leave.holiday_type == "employee" and leave.employee_id)
        if leaves:
            allocations = self.env["svc.resource.allocation"].sudo()
            for leave in leaves:
                allocations |= allocations.search(
                    [("employee_id", "=", leave.employee_id.id), ("state", "in", ("tentative", "confirmed")),
                     ("date_from", "<=", leave.date_to.date()), ("date_to", ">=", leave.date_from.date())]
                )  # fmt: skip
            allocations._svc_detect_conflicts(_("leave validated after the allocation was made"))
        return result
