from . import test_order_gate
