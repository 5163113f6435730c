from . import test_exception_queue, test_ui_tour
