from odoo import api, fields, models


class PurchaseOrderLine(models.Model):
    """Each line compares its unit price with a reference: the vendor's price list entry, or
    else the last confirmed purchase price of the product (advisory, never blocking)."""

    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "svc.approval.line.mixin"]
    _svc_approval_document_field = "order_id"

    price_reference = fields.Float(
        "Reference Price",
        compute="_compute_price_variance",
        store=True,
        digits="Product Price",
        help="The vendor's price list entry for this product, else its last confirmed purchase price, "
        "in the order's currency.",
    )
    price_reference_source = fields.Selection(
        [("none", "No Reference"), ("pricelist", "Vendor Price List"), ("last_purchase", "Last Purchase")],
        compute="_compute_price_variance",
        store=True,
        default="none",
    )
    price_variance_pct = fields.Float(
        "Price Variance (%)",
        compute="_compute_price_variance",
        store=True,
        digits=(16, 1),
        help="How far the unit price is from the reference price, in percent (positive: more expensive).",
    )

    @api.depends(
        "product_id", "product_qty", "product_uom", "price_unit", "order_id.partner_id", "display_type"
    )
    def _compute_price_variance(self):
        lines = self.filtered(lambda line: line.product_id and not line.display_type)
        (self - lines).update(
            {"price_reference": 0.0, "price_reference_source": "none", "price_variance_pct": 0.0}
        )
        last_prices = lines._svc_last_purchase_prices()
        for line in lines:
            order = line.order_id
            seller = line.product_id._select_seller(
                partner_id=order.partner_id,
                quantity=line.product_qty,
                date=order.date_order and order.date_order.date(),
                uom_id=line.product_uom,
                params={"order_id": order},
            )
            reference, source = 0.0, "none"
            if seller and seller.price:
                reference = seller.currency_id._convert(
                    seller.price,
                    order.currency_id,
                    order.company_id,
                    order.date_order or fields.Date.today(),
                    round=False,
                )
                if seller.product_uom != line.product_uom:
                    reference = seller.product_uom._compute_price(reference, line.product_uom)
                source = "pricelist"
            elif line.product_id.id in last_prices:
                price, currency, uom = last_prices[line.product_id.id]
                reference = currency._convert(
                    price,
                    order.currency_id,
                    order.company_id,
                    order.date_order or fields.Date.today(),
                    round=False,
                )
                if uom != line.product_uom:
                    reference = uom._compute_price(reference, line.product_uom)
                source = "last_purchase"
            line.price_reference = reference
            line.price_reference_source = source
            line.price_variance_pct = (line.price_unit - reference) / reference * 100.0 if reference else 0.0

    def _svc_last_purchase_prices(self):
        """{product id: (unit price, currency, uom)} of the last confirmed purchase of each product,
        other orders than these lines' own; one query for the whole batch."""
        products = self.product_id
        if not products:
            return {}
        order_ids = [order_id for order_id in self.order_id.ids if order_id]
        self.env["purchase.order.line"].flush_model(
            ["product_id", "price_unit", "currency_id", "product_uom", "state"]
        )
        self.env["purchase.order"].flush_model(["date_approve"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (l.product_id) l.product_id, l.price_unit, l.currency_id, l.product_uom
              FROM purchase_order_line l
              JOIN purchase_order o ON o.id = l.order_id
             WHERE l.product_id IN %s AND l.state IN ('purchase', 'done') AND l.display_type IS NULL
               AND NOT (l.order_id = ANY(%s)) AND o.company_id = ANY(%s)
             ORDER BY l.product_id, o.date_approve DESC NULLS LAST, l.id DESC
            """,
            [tuple(products.ids), order_ids, self.order_id.company_id.ids],
        )
        currencies, uoms = self.env["res.currency"], self.env["uom.uom"]
        return {
            product_id: (price, currencies.browse(currency_id), uoms.browse(uom_id))
            for product_id, price, currency_id, uom_id in self.env.cr.fetchall()
        }
