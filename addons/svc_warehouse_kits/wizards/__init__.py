from . import svc_material_request_kit_wizard
