from . import (
    test_approval_flow,
    test_approver_activities,
    test_audit_chain,
    test_concurrency,
    test_escalation_emergency,
    test_policy,
    test_route_preview,
)
