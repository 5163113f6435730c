from . import (
    account_analytic_line,
    account_move,
    sale_order,
    sale_order_line,
    svc_billing_readiness,
    svc_billing_readiness_check,
    svc_exception,
    svc_resource_allocation,
    svc_retainer_overage,
    svc_timesheet_compliance,
)
