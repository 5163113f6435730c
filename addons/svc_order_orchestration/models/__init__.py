from . import product_category, res_company, sale_order
