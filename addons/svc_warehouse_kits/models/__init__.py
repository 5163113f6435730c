from . import (
    project_project,
    res_company,
    stock,
    svc_asset_loan,
    svc_exception,
    svc_kit,
    svc_kit_line,
    svc_material_dispatch,
    svc_material_request,
    svc_material_request_line,
)
