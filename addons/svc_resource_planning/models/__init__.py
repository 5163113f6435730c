from . import (
    account_analytic_line,
    sale_order,
    sale_order_line,
    svc_exception,
    svc_resource_allocation,
    svc_retainer_overage,
    svc_timesheet_compliance,
)
