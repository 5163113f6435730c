from . import (
    test_acknowledgment,
    test_late_inbound,
    test_replenishment_run,
    test_shipment_update,
    test_supplier_performance,
)
