from odoo import _, api, fields, models
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

    def _action_done(self, cancel_backorder=False):
        """Keep loans and request states in step with every validated move, as superuser: whoever
        may validate a transfer (a buyer receiving goods) needs no Material Requests rights."""
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done").sudo()
        self.env["svc.asset.loan"].sudo()._sync_with_moves(done)
        requests = done.svc_request_line_id.request_id
        requests.filtered(
            lambda req: req.state == "in_progress"
            and all(line.qty_delivered >= line.quantity for line in req.line_ids)
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
