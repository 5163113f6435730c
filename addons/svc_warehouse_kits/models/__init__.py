from . import svc_kit, svc_kit_line
