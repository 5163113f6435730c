from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    svc_margin_floor = fields.Float(
        "Margin Floor %",
        digits=(16, 2),
        help="The lowest margin (percent) of a sales order with products of this category; with "
        "several categories the highest floor applies. 0: the company's floor.",
    )
