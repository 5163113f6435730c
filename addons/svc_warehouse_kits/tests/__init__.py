from . import test_kit, test_material_request, test_reservation_and_loans, test_ui_tour
