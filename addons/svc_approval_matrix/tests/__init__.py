from . import (
    test_approval_flow,
    test_approver_activities,
    test_concurrency,
    test_escalation_emergency,
    test_policy,
)
