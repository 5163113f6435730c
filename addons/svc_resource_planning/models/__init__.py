from . import (
    crm_lead,
    hr_leave,
    res_company,
    resource_calendar,
    sale_order_line,
    svc_capacity_week,
    svc_exception,
    svc_resource_allocation,
    svc_staffing_candidate,
    svc_staffing_request,
    svc_staffing_request_line,
    svc_staffing_skill,
)
