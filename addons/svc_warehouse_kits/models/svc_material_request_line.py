from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SvcMaterialRequestLine(models.Model):
    """One product of a material request, with what Odoo reserved and delivered for it."""

    _name = "svc.material.request.line"
    _inherit = ["svc.approval.line.mixin"]
    _description = "Material Request Line"
    _svc_approval_document_field = "request_id"
    _order = "request_id, sequence, id"

    request_id = fields.Many2one("svc.material.request", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product", required=True, domain=[("type", "in", ("consu", "product"))]
    )
    quantity = fields.Float(digits="Product Unit of Measure", default=1.0, required=True)
    uom_id = fields.Many2one(
        "uom.uom",
        "Unit",
        compute="_compute_uom_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    returnable = fields.Boolean(
        compute="_compute_returnable", store=True, readonly=False, precompute=True,
        help="A loaner: dispatching it opens a loan that the return transfer closes.",
    )  # fmt: skip
    move_ids = fields.One2many("stock.move", "svc_request_line_id", "Stock Moves")
    qty_reserved = fields.Float(
        "Reserved", compute="_compute_quantities", store=True, digits="Product Unit of Measure"
    )
    qty_delivered = fields.Float(
        "Delivered", compute="_compute_quantities", store=True, digits="Product Unit of Measure"
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True)

    @api.depends("product_id")
    def _compute_uom_id(self):
        for line in self:
            line.uom_id = line.product_id.uom_id

    @api.depends("product_id")
    def _compute_returnable(self):
        for line in self:
            line.returnable = line.product_id.tracking == "serial"

    @api.depends("move_ids.state", "move_ids.quantity", "move_ids.picked")
    def _compute_quantities(self):
        for line in self:
            open_moves = line.move_ids.filtered(
                lambda move: move.state in ("assigned", "partially_available")
            )
            done_moves = line.move_ids.filtered(
                lambda move: move.state == "done" and move.location_dest_id.usage in ("internal", "customer")
                and move.location_id.usage == "internal"
            )  # fmt: skip
            line.qty_reserved = sum(open_moves.mapped("quantity"))
            line.qty_delivered = sum(done_moves.mapped("quantity"))

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _("%(request)s: the quantity of %(product)s must be positive.",
                      request=line.request_id.name, product=line.product_id.display_name)
                )  # fmt: skip
