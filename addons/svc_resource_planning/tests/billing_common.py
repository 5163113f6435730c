from contextlib import contextmanager
from datetime import date

from odoo.tests import new_test_user

from odoo.addons.svc_ops_base.tests.common import SvcOpsCase

MONDAY = date(2026, 3, 2)  # an ISO week Monday, no public holiday in the fixtures unless a test adds one


class BillingCase(SvcOpsCase):
    """A consultancy: a consultant logging time, their project manager, the account manager
    selling retainers, and finance; a customer with a prepaid-hours retainer order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.consultant = new_test_user(
            cls.env, "svc_consultant", groups="base.group_user,hr_timesheet.group_hr_timesheet_user", tz="UTC"
        )
        cls.project_manager = new_test_user(
            cls.env,
            "svc_pm",
            groups="base.group_user,project.group_project_manager,hr_timesheet.group_hr_timesheet_approver",
            tz="UTC",
        )
        cls.account_manager = new_test_user(
            cls.env,
            "svc_account",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
            tz="UTC",
        )
        cls.sales_manager = new_test_user(
            cls.env, "svc_sales_manager", groups="base.group_user,sales_team.group_sale_manager", tz="UTC"
        )
        cls.finance = new_test_user(
            cls.env,
            "svc_finance",
            groups="base.group_user,account.group_account_manager,sales_team.group_sale_salesman_all_leads,"
            "svc_approval_matrix.group_approval_emergency",
            tz="UTC",
        )
        cls.calendar = cls.env["resource.calendar"].create({"name": "Standard 40h UTC", "tz": "UTC"})
        cls.manager_employee = cls.env["hr.employee"].create(
            {"name": "Paula PM", "user_id": cls.project_manager.id, "resource_calendar_id": cls.calendar.id}
        )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Carl Consultant",
                "user_id": cls.consultant.id,
                "parent_id": cls.manager_employee.id,
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Globex", "email": "billing@globex.example.com"}
        )
        cls.uom_hour = cls.env.ref("uom.product_uom_hour")
        cls.retainer_product = cls.env["product.product"].create(
            {
                "name": "Monthly Retainer (hours)",
                "type": "service",
                "service_policy": "ordered_prepaid",
                "service_tracking": "task_in_project",
                "uom_id": cls.uom_hour.id,
                "uom_po_id": cls.uom_hour.id,
                "list_price": 100.0,
            }
        )

    @classmethod
    def _retainer_order(cls, hours=10.0, threshold=80.0):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.account_manager.id,
                "svc_retainer_warning_threshold": threshold,
                "order_line": [(0, 0, {"product_id": cls.retainer_product.id, "product_uom_qty": hours})],
            }
        )
        order.action_confirm()
        return order

    @contextmanager
    def refused(self, exception, pattern):
        """assertRaises (which rolls back to a savepoint, unlike assertRaisesRegex) plus the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception.args[0]), pattern)

    def _log(self, task, hours, day=MONDAY, user=None, employee=None):
        return (
            self.env["account.analytic.line"]
            .with_user(user or self.consultant)
            .create(
                {
                    "name": "work",
                    "project_id": task.project_id.id,
                    "task_id": task.id,
                    "unit_amount": hours,
                    "date": day,
                    "employee_id": (employee or self.employee).id,
                }
            )
        )
