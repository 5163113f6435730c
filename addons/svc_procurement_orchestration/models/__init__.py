from . import purchase_order, res_partner
