from odoo import api, models

OPEN_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")

# One pass over the stock of the products an order's receipts bring to a warehouse.
# Supply is what stands in the warehouse's stock location (on hand) plus every open move
# entering the warehouse, at its expected date: the later of its scheduled date and its
# deadline (Odoo moves the receipt's deadline when the order's expected arrival changes,
# its scheduled date when the receipt is rescheduled). Demand is every open move with a
# deadline leaving the stock location: customer deliveries (the commitment date) and
# material-request transfers (the needed date). A running balance in deadline order says
# which demands are short; a short demand due before an order's receipt arrives is one
# that receipt was to serve and now misses.
LATE_DEMANDS_SQL = """
WITH receipt AS (
    SELECT pol.order_id, m.product_id, dest.warehouse_id,
           MAX(GREATEST(m.date, COALESCE(m.date_deadline, m.date))) AS expected
      FROM stock_move m
      JOIN purchase_order_line pol ON pol.id = m.purchase_line_id
      JOIN stock_location dest ON dest.id = m.location_dest_id
      JOIN stock_location src ON src.id = m.location_id
     WHERE pol.order_id IN %(order_ids)s
       AND m.state IN %(open_states)s
       AND dest.warehouse_id IS NOT NULL
       AND src.warehouse_id IS DISTINCT FROM dest.warehouse_id
     GROUP BY pol.order_id, m.product_id, dest.warehouse_id
), pair AS (
    SELECT DISTINCT r.warehouse_id, r.product_id, stock.parent_path AS stock_path
      FROM receipt r
      JOIN stock_warehouse w ON w.id = r.warehouse_id
      JOIN stock_location stock ON stock.id = w.lot_stock_id
), on_hand AS (
    SELECT p.warehouse_id, p.product_id, SUM(q.quantity) AS quantity
      FROM pair p
      JOIN stock_quant q ON q.product_id = p.product_id
      JOIN stock_location loc ON loc.id = q.location_id
     WHERE loc.usage = 'internal' AND loc.parent_path LIKE p.stock_path || '%%'
     GROUP BY p.warehouse_id, p.product_id
), event AS (
    SELECT p.warehouse_id, p.product_id, GREATEST(m.date, COALESCE(m.date_deadline, m.date)) AS at,
           0 AS kind, m.product_qty AS quantity, NULL::integer AS move_id
      FROM pair p
      JOIN stock_move m ON m.product_id = p.product_id AND m.state IN %(open_states)s
      JOIN stock_location dest ON dest.id = m.location_dest_id AND dest.warehouse_id = p.warehouse_id
      JOIN stock_location src ON src.id = m.location_id
     WHERE src.warehouse_id IS DISTINCT FROM p.warehouse_id
    UNION ALL
    SELECT p.warehouse_id, p.product_id, m.date_deadline, 1, -m.product_qty, m.id
      FROM pair p
      JOIN stock_move m ON m.product_id = p.product_id AND m.state IN %(open_states)s
                       AND m.date_deadline IS NOT NULL
      JOIN stock_location src ON src.id = m.location_id AND src.parent_path LIKE p.stock_path || '%%'
      JOIN stock_location dest ON dest.id = m.location_dest_id
     WHERE dest.parent_path NOT LIKE p.stock_path || '%%'
), balance AS (
    SELECT e.*, COALESCE(h.quantity, 0) + SUM(e.quantity) OVER (
               PARTITION BY e.warehouse_id, e.product_id ORDER BY e.at, e.kind, e.move_id
               ROWS UNBOUNDED PRECEDING) AS balance
      FROM event e
      LEFT JOIN on_hand h ON h.warehouse_id = e.warehouse_id AND h.product_id = e.product_id
)
SELECT r.order_id, b.move_id, b.at, LEAST(-b.balance, -b.quantity) AS shortage, r.expected
  FROM balance b
  JOIN receipt r ON r.warehouse_id = b.warehouse_id AND r.product_id = b.product_id
 WHERE b.kind = 1 AND b.balance < -0.00001 AND b.at < r.expected
 ORDER BY r.order_id, b.at, b.move_id
"""


class StockMove(models.Model):
    """A receipt whose expected date moves re-checks the committed demand its order serves."""

    _inherit = "stock.move"

    def write(self, vals):
        receipts, before = self.browse(), {}
        # a move being done or cancelled also gets a date: that is not a reschedule
        # (_action_done re-checks the late orders it receives)
        if (
            ("date" in vals or "date_deadline" in vals)
            and vals.get("state") not in ("done", "cancel")
            and not self.env.context.get("svc_skip_late_inbound")
        ):
            receipts = self.filtered(lambda move: move.purchase_line_id and move.state in OPEN_MOVE_STATES)
            before = {move.id: (move.date, move.date_deadline) for move in receipts}
        result = super().write(vals)
        if receipts:
            moved = receipts.filtered(lambda move: (move.date, move.date_deadline) != before[move.id])
            if moved:
                moved.purchase_line_id.order_id._svc_check_late_inbound()
        return result

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        late_orders = moves.purchase_line_id.order_id.filtered("inbound_late")
        if late_orders:
            late_orders._svc_check_late_inbound()
        return moves

    @api.model
    def _svc_late_demands(self, order_ids):
        """{order id: [(demand move id, deadline, quantity short, receipt expected date)]}, in
        deadline order, of the committed demand the open receipts of these orders now miss.

        One SQL statement whatever the number of demands (window function over the supply
        and demand of each product and warehouse the receipts touch).
        """
        if not order_ids:
            return {}
        self.env["stock.move"].flush_model(
            ["state", "date", "date_deadline", "product_qty", "product_id", "location_id",
             "location_dest_id", "purchase_line_id"]
        )  # fmt: skip
        self.env["stock.quant"].flush_model(["quantity", "product_id", "location_id"])
        self.env["purchase.order.line"].flush_model(["order_id"])
        self.env.cr.execute(
            LATE_DEMANDS_SQL, {"order_ids": tuple(order_ids), "open_states": OPEN_MOVE_STATES}
        )
        late = {}
        for order_id, move_id, deadline, shortage, expected in self.env.cr.fetchall():
            late.setdefault(order_id, []).append((move_id, deadline, shortage, expected))
        return late

    def _svc_demand_documents(self):
        """{move id: (document, user to notify)}: the sale order and its salesperson, the
        material request and its requester, or else the transfer and its responsible (its
        creator when nobody is). One query, and no read of the documents themselves; the
        sale and request joins exist only when those addons are installed (no dependency on
        them)."""
        if not self:
            return {}
        self.env.flush_all()
        columns, joins = [], []
        if "sale_line_id" in self._fields:
            columns.append(("sale.order", "so.id", "so.user_id"))
            joins.append(
                "LEFT JOIN sale_order_line sol ON sol.id = m.sale_line_id "
                "LEFT JOIN sale_order so ON so.id = sol.order_id"
            )
        if "svc_request_line_id" in self._fields:
            columns.append(("svc.material.request", "req.id", "req.requested_by_id"))
            joins.append(
                "LEFT JOIN svc_material_request_line reql ON reql.id = m.svc_request_line_id "
                "LEFT JOIN svc_material_request req ON req.id = reql.request_id"
            )
        columns.append(("stock.picking", "p.id", "COALESCE(p.user_id, p.create_uid)"))
        model_case = " ".join(f"WHEN {ident} IS NOT NULL THEN '{model}'" for model, ident, _user in columns)
        id_case = " ".join(f"WHEN {ident} IS NOT NULL THEN {ident}" for _model, ident, _user in columns)
        user_case = " ".join(f"WHEN {ident} IS NOT NULL THEN {user}" for _model, ident, user in columns)
        query = f"""
            SELECT m.id, CASE {model_case} ELSE 'stock.move' END, CASE {id_case} ELSE m.id END,
                   CASE {user_case} ELSE m.create_uid END
              FROM stock_move m
              LEFT JOIN stock_picking p ON p.id = m.picking_id
              {" ".join(joins)}
             WHERE m.id IN %s
        """  # only fixed table and column names are interpolated
        self.env.cr.execute(query, [tuple(self.ids)])
        rows = self.env.cr.fetchall()
        user_ids = [user_id for *_rest, user_id in rows if user_id]
        users = self.env["res.users"]
        # each document prefetches only itself: a caller facing thousands of demands reads
        # the few it shows (fetch), not every document of the list
        documents = {
            move_id: (
                self.env[model].browse(res_id),
                users.browse(user_id).with_prefetch(user_ids) if user_id else users,
            )
            for move_id, model, res_id, user_id in rows
        }
        return {move_id: documents[move_id] for move_id in self.ids}  # in this recordset's order
