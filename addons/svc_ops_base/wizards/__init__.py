from . import svc_integration_secret_wizard
