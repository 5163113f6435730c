from . import (
    test_ack_followup,
    test_acknowledgment,
    test_po_approval,
    test_price_variance,
    test_supplier_ack_event,
    test_ui_tour,
)
