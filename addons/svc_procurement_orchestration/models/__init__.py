from . import (
    purchase_order,
    purchase_order_inbound,
    res_partner,
    stock_move,
    stock_picking,
    svc_inbox_event,
    svc_replenishment_run,
)
