from . import test_order_gate
from . import test_ui_tour
