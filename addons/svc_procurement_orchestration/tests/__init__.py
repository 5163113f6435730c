from . import test_acknowledgment, test_late_inbound, test_shipment_update
