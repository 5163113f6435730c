from . import (
    res_company,
    resource_calendar,
    svc_capacity_week,
    svc_resource_allocation,
    svc_staffing_candidate,
    svc_staffing_request,
    svc_staffing_request_line,
    svc_staffing_skill,
)
