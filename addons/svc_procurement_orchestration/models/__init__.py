from . import (
    purchase_order,
    purchase_order_inbound,
    purchase_order_line,
    res_company,
    res_config_settings,
    res_partner,
    stock_move,
    stock_picking,
    svc_exception,
    svc_inbox_event,
    svc_integration_source,
    svc_replenishment_run,
)
