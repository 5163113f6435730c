from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcKitLine(models.Model):
    """One product of a kit and how many of it the kit contains, in the product's unit."""

    _name = "svc.kit.line"
    _description = "Deployment Kit Line"
    _order = "kit_id, sequence, id"
    _check_company_auto = True

    kit_id = fields.Many2one("svc.kit", "Kit", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain=[("type", "in", ("consu", "product"))],
    )
    quantity = fields.Float(digits="Product Unit of Measure", default=1.0, required=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit", readonly=True)
    company_id = fields.Many2one(related="kit_id.company_id", store=True, index=True)

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _(
                        "Kit %(kit)s: set a quantity greater than zero for %(product)s, or remove the line.",
                        kit=line.kit_id.display_name,
                        product=line.product_id.display_name,
                    )
                )
