from odoo import _, api, fields, models
from odoo.tools import float_compare
from odoo.tools.misc import clean_context, groupby
from odoo.tools.sql import create_index


class StockMove(models.Model):
    """Links the moves Odoo's procurement creates back to the material request line."""

    _inherit = "stock.move"

    svc_request_line_id = fields.Many2one(
        "svc.material.request.line", "Material Request Line", index="btree_not_null", copy=False
    )
    # stored copies of the request's ranking, so the priority sweep finds donors in one ordered query
    svc_priority = fields.Selection(
        related="svc_request_line_id.request_id.priority", store=True, string="Request Priority"
    )
    svc_needed_date = fields.Date(
        related="svc_request_line_id.request_id.needed_date", store=True, string="Needed On"
    )

    def init(self):
        result = super().init()
        # the priority sweep looks for donors: reserved request moves of one product at one
        # location, lowest priority and latest need first; one short index walk per short move
        create_index(
            self._cr, "stock_move_svc_donor_index", self._table,
            ["product_id", "location_id", "svc_priority", "svc_needed_date DESC", "id DESC"],
            where="svc_request_line_id IS NOT NULL AND state IN ('assigned', 'partially_available')",
        )  # fmt: skip
        return result

    def _action_confirm(self, merge=True, merge_into=False):
        """Within a fulfilment batch (context `svc_batch_pickings`), give the moves of the batch's
        new procurement groups their transfers in one go before Odoo confirms them."""
        if self.env.context.get("svc_batch_pickings"):
            self._svc_assign_new_pickings()
        return super()._action_confirm(merge=merge, merge_into=merge_into)

    def _svc_assign_new_pickings(self):
        """Create the transfers of draft moves whose procurement group has none yet: one `create`
        for the batch instead of one search and one create per group (Odoo's `_assign_picking`).

        The same transfers as Odoo's: one per group, locations and operation type
        (`_key_assign_picking`), with Odoo's own values (`_get_new_picking_values`) and
        post-processing. Groups that already have a transfer (a request approved again) keep
        Odoo's path, which looks for a transfer to join.
        """
        moves = self.filtered(
            lambda move: move.state == "draft" and move.group_id and move._should_be_assigned()
            and float_compare(move.product_uom_qty, 0.0, precision_rounding=move.product_uom.rounding) >= 0
        )  # fmt: skip
        if not moves:
            return
        served = self.env["stock.picking"].search([("group_id", "in", moves.group_id.ids)]).group_id
        moves = moves.filtered(lambda move: move.group_id not in served)
        batches = [
            self.browse().concat(*group)
            for _key, group in groupby(moves, key=lambda move: move._key_assign_picking())
        ]
        if not batches:
            return
        # as Odoo does: the transfers get none of the callers' default_* keys
        without_defaults = self.env(context=clean_context(self.env.context))
        pickings = without_defaults["stock.picking"].create(
            [batch._get_new_picking_values() for batch in batches]
        )
        for picking, batch in zip(pickings, batches, strict=True):
            batch.write({"picking_id": picking.id})
        for batch in batches:
            batch._assign_picking_post_process(new=True)

    def _svc_with_free_stock(self):
        """The moves a reservation attempt can serve: those whose product has free stock at their
        source location, that reserve from their origin moves or that need no reservation. One
        quantity computation per source location."""
        free = {}
        for location, moves in groupby(self, key=lambda move: move.location_id):
            products = self.browse().concat(*moves).product_id.with_context(location=location.id)
            free.update({(product.id, location.id): product.free_qty for product in products})
        return self.filtered(
            lambda move: move.move_orig_ids or move._should_bypass_reservation()
            or free[move.product_id.id, move.location_id.id] > 0
        )  # fmt: skip

    def _svc_find_donors(self):
        """[(short move, donor move)] for these short request moves (most urgent first): reserved,
        unpicked request moves of the same product and location whose request has a lower
        priority and is needed later, lowest priority and latest need first.

        One ordered query per product and location fetches the donors for all its short moves;
        a short move only searches on its own when that pool ran out before serving it, so
        the choice is the same as one search per short move.
        """
        handovers, taken = [], set()
        order = "svc_priority, svc_needed_date desc, id desc"
        for (product, location), group in groupby(self, key=lambda move: (move.product_id, move.location_id)):
            takers = self.browse().concat(*group)
            requests = takers.svc_request_line_id.request_id
            domain = [("product_id", "=", product.id), ("location_id", "=", location.id),
                      ("state", "in", ("assigned", "partially_available")), ("picked", "=", False),
                      ("svc_request_line_id", "!=", False)]  # fmt: skip
            wanted = {taker: int(taker.product_uom_qty - taker.quantity) + 1 for taker in takers}
            limit = sum(wanted.values())
            pool = self.search(
                [*domain, ("svc_priority", "<", max(requests.mapped("priority"))),
                 ("svc_needed_date", ">", min(requests.mapped("needed_date")))],
                order=order, limit=limit,
            )  # fmt: skip
            for taker in takers:
                request = taker.svc_request_line_id.request_id
                candidates = pool.filtered(
                    lambda donor, req=request: donor.id not in taken and donor.svc_priority < req.priority
                    and donor.svc_needed_date > req.needed_date
                )[: wanted[taker]]  # fmt: skip
                if len(candidates) < wanted[taker] and len(pool) == limit:  # the pool ran out
                    candidates = self.search(
                        [*domain, ("svc_priority", "<", request.priority),
                         ("svc_needed_date", ">", request.needed_date), ("id", "not in", list(taken))],
                        order=order, limit=wanted[taker],
                    )  # fmt: skip
                missing = taker.product_uom_qty - taker.quantity
                for donor in candidates:
                    if missing <= 0:
                        break
                    taken.add(donor.id)
                    missing -= donor.quantity
                    handovers.append((taker, donor))
        return handovers

    def _action_done(self, cancel_backorder=False):
        """Keep loans and request states in step with every validated move, as superuser: whoever
        may validate a transfer (a buyer receiving goods) needs no Material Requests rights."""
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done").sudo()
        self.env["svc.asset.loan"].sudo()._sync_with_moves(done)
        requests = done.svc_request_line_id.request_id
        requests.filtered(
            lambda req: (
                req.state == "in_progress"
                and all(line.qty_delivered >= line.quantity for line in req.line_ids)
            )
        ).write({"state": "done"})
        return moves


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    @api.model
    def _search_rule(self, route_ids, packaging_id, product_id, warehouse_id, domain):
        """Within one fulfilment batch (context `svc_rule_memo`), look each rule up once.

        The rule Odoo finds depends on the routes (given, the packaging's, the product's
        and its category's, the warehouse's) and on the domain, not on the product
        itself: a batch of requests for the same project and routes shares one search for
        its pull rule and one for its push rules, instead of several per move.
        """
        memo = self.env.context.get("svc_rule_memo")
        if memo is None:
            return super()._search_rule(route_ids, packaging_id, product_id, warehouse_id, domain)
        key = (
            tuple(route_ids.ids) if route_ids else (),
            tuple(packaging_id.route_ids.ids) if packaging_id else (),
            tuple((product_id.route_ids | product_id.categ_id.total_route_ids).ids),
            warehouse_id.id if warehouse_id else False,
            str(domain),
            self.env.uid,
            self.env.su,
            tuple(self.env.companies.ids),
        )
        if key not in memo:
            memo[key] = super()._search_rule(route_ids, packaging_id, product_id, warehouse_id, domain).ids
        return self.env["stock.rule"].browse(memo[key])


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        return [*super()._get_custom_move_fields(), "svc_request_line_id"]


class StockPicking(models.Model):
    """Dispatch control: a request's transfer is validated only while its approval holds and,
    for serialized assets above the dispatch threshold, once its dispatch is approved."""

    _inherit = "stock.picking"

    # Odoo looks a transfer up by its procurement group for every group of moves it confirms
    # (`_search_picking_for_assignation`); without an index that search reads every transfer
    # of the same type and state, so it grew with the number of transfers
    group_id = fields.Many2one(index="btree_not_null")

    def button_validate(self):
        requests = self.move_ids.svc_request_line_id.request_id
        requests._svc_approval_check()
        dispatches = requests.dispatch_id
        if dispatches:
            dispatches._check_cleared(
                self.filtered(lambda picking: picking.move_ids.svc_request_line_id.request_id.dispatch_id)
            )
        return super().button_validate()


class StockLocation(models.Model):
    _inherit = "stock.location"

    svc_project_id = fields.Many2one("project.project", "Project", index="btree_not_null", copy=False)


class StockWarehouse(models.Model):
    """Each warehouse gets, on first need, a Projects location and a Project Supply route."""

    _inherit = "stock.warehouse"

    def _svc_projects_location(self):
        self.ensure_one()
        location = self.env["stock.location"].search(
            [
                ("location_id", "=", self.view_location_id.id),
                ("name", "=", "Projects"),
                ("usage", "=", "internal"),
            ],
            limit=1,
        )
        return location or self.env["stock.location"].sudo().create(
            {"name": "Projects", "location_id": self.view_location_id.id, "usage": "internal",
             "company_id": self.company_id.id}
        )  # fmt: skip

    @api.model
    def _svc_route_name(self, warehouse):
        return _("%s: Project Supply", warehouse.name)

    def _svc_project_supply_route(self):
        """Internal transfers from stock to the project locations, pulled by procurements."""
        self.ensure_one()
        route = self.env["stock.route"].search([("svc_project_supply_warehouse_id", "=", self.id)], limit=1)
        if route:
            return route
        projects = self._svc_projects_location()
        return self.env["stock.route"].sudo().create(
            {
                "name": self._svc_route_name(self),
                "sequence": 50,
                "company_id": self.company_id.id,
                "product_selectable": False,
                "svc_project_supply_warehouse_id": self.id,
                "rule_ids": [(0, 0, {
                    "name": _("%s: Stock → Projects", self.name),
                    "action": "pull",
                    "location_src_id": self.lot_stock_id.id,
                    "location_dest_id": projects.id,
                    "picking_type_id": self.int_type_id.id,
                    "procure_method": "make_to_stock",
                    "warehouse_id": self.id,
                    "company_id": self.company_id.id,
                })],
            }
        )  # fmt: skip


class StockRoute(models.Model):
    _inherit = "stock.route"

    svc_project_supply_warehouse_id = fields.Many2one("stock.warehouse", copy=False, index="btree_not_null")
