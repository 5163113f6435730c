from . import (
    test_ack_followup,
    test_acknowledgment,
    test_decision_scope,
    test_late_inbound,
    test_po_approval,
    test_price_variance,
    test_replenishment_run,
    test_shipment_update,
    test_supplier_ack_event,
    test_supplier_performance,
    test_ui_tour,
)
