from . import (
    test_decision_scope,
    test_dispatch_control,
    test_dispatch_without_approver,
    test_kit,
    test_material_request,
    test_reservation_and_loans,
    test_route_preview,
    test_ui_tour,
)
