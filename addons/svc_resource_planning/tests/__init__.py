from . import (
    test_allocation,
    test_billing_readiness,
    test_capacity_math,
    test_retainer,
    test_rpc_billing,
    test_timesheet_compliance,
    test_timesheet_validation,
    test_ui_tour,
)
