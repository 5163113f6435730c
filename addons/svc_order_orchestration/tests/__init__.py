from . import test_order_gate, test_ui_tour
