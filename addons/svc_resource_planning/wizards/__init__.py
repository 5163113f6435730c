from . import svc_timesheet_validate_wizard
