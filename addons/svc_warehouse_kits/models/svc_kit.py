from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from odoo.addons.svc_ops_base.models.rpc_args import number_argument


class SvcKit(models.Model):
    """A named bundle of products shipped together (e.g. consultant onboarding: laptop, dock, headset).

    Kits expand into material request lines; several kits can be combined, and the
    lines they give are edited on the request, never on the kit.
    """

    _name = "svc.kit"
    _description = "Deployment Kit"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="Short reference, unique per company.")
    active = fields.Boolean(default=True, tracking=True)
    description = fields.Text(help="When to use this kit.")
    company_id = fields.Many2one(
        "res.company",
        index=True,
        tracking=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the kit between companies.",
    )
    line_ids = fields.One2many("svc.kit.line", "kit_id", "Contents", copy=True)
    line_count = fields.Integer("Products", compute="_compute_line_count")

    _sql_constraints = [
        # An exclusion on COALESCE(company_id, 0) rather than unique(code, company_id):
        # PostgreSQL treats NULLs as distinct, which would let shared kits repeat a code.
        (
            "code_company_uniq",
            "EXCLUDE USING btree (code WITH =, (COALESCE(company_id, 0)) WITH =)",
            "A kit code must be unique per company (and among shared kits).",
        ),
    ]

    @api.depends("line_ids")
    def _compute_line_count(self):
        counts = dict(
            self.env["svc.kit.line"]._read_group([("kit_id", "in", self.ids)], ["kit_id"], ["__count"])
        )
        for kit in self:
            kit.line_count = counts.get(kit, 0) if kit.id else len(kit.line_ids)

    def copy(self, default=None):
        """A duplicate needs its own code: suffix the original's so the copy can be saved."""
        self.ensure_one()
        default = dict(default or {})
        if "code" not in default:
            default["code"] = _("%s (copy)", self.code)
        return super().copy(default)

    def action_expand(self, multiplier=1.0):
        """Return the request lines these kits give, as plain data for RPC clients and the UI.

        ``[{"product_id": int, "quantity": float}, ...]``, see ``_prepare_request_lines``.
        """
        return self._prepare_request_lines(number_argument(multiplier, "multiplier"))

    def _prepare_request_lines(self, multiplier=1.0):
        """Combine the kits of ``self`` into one line per product, ``multiplier`` times over.

        Quantities of a product found in several kits are summed (in the product's unit
        of measure) and products keep the order in which they are first met: kit by kit
        as in ``self``, line by line by sequence. This is how kits become the editable
        lines of a material request.
        """
        if multiplier <= 0:
            raise UserError(_("Expand kits a positive number of times (got %s).", multiplier))
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        quantities = {}
        for kit in self:
            for line in kit.line_ids:
                product_id = line.product_id.id
                quantities[product_id] = quantities.get(product_id, 0.0) + line.quantity * multiplier
        return [
            {"product_id": product_id, "quantity": float_round(quantity, precision_digits=digits)}
            for product_id, quantity in quantities.items()
        ]
