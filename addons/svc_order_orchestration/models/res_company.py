from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    svc_margin_floor = fields.Float(
        "Margin Floor %",
        digits=(16, 2),
        help="The lowest margin (percent of the untaxed amount) a sales order should have; a "
        "product category's own floor prevails. 0: none. Approval policies test "
        "svc_margin_below_floor.",
    )
