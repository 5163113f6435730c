from . import svc_approval_decision_wizard
