from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.stock.models.stock_rule import ProcurementException
from odoo.addons.svc_ops_base.models.rpc_args import ids_argument, number_argument

PRIORITIES = [("0", "Normal"), ("1", "Important"), ("2", "High"), ("3", "Critical")]
OPEN_STATES = ("approved", "in_progress")


class SvcMaterialRequest(models.Model):
    """A project's request for material: governed by approval policies, fulfilled by Odoo's
    own procurement rules and reservation, with scarce stock handed out by priority."""

    _name = "svc.material.request"
    _description = "Material Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.approval.mixin", "svc.requester.mixin"]
    _svc_approval_state_field = "state"
    _svc_approval_gated_states = ("approved", "in_progress", "done")
    _order = "priority desc, needed_date, id desc"
    _check_company_auto = True
    _svc_requester_manager_groups = (
        "svc_approval_matrix.group_approval_manager",
        "svc_warehouse_kits.group_kits_manager",
    )

    name = fields.Char(required=True, readonly=True, copy=False, default=lambda self: _("New"))
    project_id = fields.Many2one("project.project", tracking=True, index=True, check_company=True)
    project_manager_id = fields.Many2one(
        related="project_id.user_id",
        string="Project Manager",
        store=True,
        help="Approves above the threshold.",
    )
    requested_by_id = fields.Many2one(
        "res.users",
        "Requested By",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        index=True,
    )
    needed_date = fields.Date(tracking=True, index=True)
    priority = fields.Selection(PRIORITIES, default="0", required=True, tracking=True, index=True)
    urgent = fields.Boolean(help="Needed the same day: may be released on the emergency path.", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True,
        default=lambda self: self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1),
    )  # fmt: skip
    destination_type = fields.Selection(
        [("project", "Project Location"), ("site", "Delivery to Site")], default="project", required=True
    )
    delivery_partner_id = fields.Many2one("res.partner", "Site Address", help="Where a site delivery goes.")
    location_dest_id = fields.Many2one("stock.location", "Project Location", readonly=True, copy=False)
    line_ids = fields.One2many("svc.material.request.line", "request_id", "Lines", copy=True)
    estimated_value = fields.Monetary(
        compute="_compute_estimated_value", store=True, currency_field="currency_id",
        help="Cost of the lines at the products' cost, in the company currency: what policies compare.",
    )  # fmt: skip
    currency_id = fields.Many2one(related="company_id.currency_id")
    has_serialized = fields.Boolean(
        compute="_compute_estimated_value", store=True, string="Serialized Assets"
    )
    serialized_value = fields.Monetary(
        compute="_compute_estimated_value", store=True, currency_field="currency_id",
        help="Cost of the serialized lines: above the company's dispatch threshold, the dispatch needs sign-off.",
    )  # fmt: skip
    dispatch_id = fields.Many2one("svc.material.dispatch", "Dispatch Approval", readonly=True, copy=False)
    dispatch_state = fields.Selection(related="dispatch_id.approval_state", string="Dispatch Approval Status")
    dispatch_approver_missing = fields.Boolean(
        related="dispatch_id.approver_missing", string="Dispatch Without Approver"
    )
    procurement_group_id = fields.Many2one("procurement.group", readonly=True, copy=False)
    picking_ids = fields.One2many(
        "stock.picking", compute="_compute_picking_ids", string="Transfers", compute_sudo=True
    )
    picking_count = fields.Integer(compute="_compute_picking_ids", compute_sudo=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("approved", "Approved"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("rejected", "Rejected"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    availability = fields.Selection(
        [("none", "Not Available"), ("partial", "Partially Available"), ("full", "Available")],
        compute="_compute_availability",
        store=True,
    )
    anomaly = fields.Char(readonly=True, copy=False, help="Advisory: repeated urgent requests.")
    rejection_reason = fields.Text(readonly=True, copy=False)

    @api.depends("line_ids.quantity", "line_ids.product_id")
    def _compute_estimated_value(self):
        for request in self:
            request.estimated_value = sum(
                line.quantity * line.product_id.standard_price for line in request.line_ids
            )
            serialized = request.line_ids.filtered(lambda line: line.product_id.tracking == "serial")
            request.has_serialized = bool(serialized)
            request.serialized_value = sum(
                line.quantity * line.product_id.standard_price for line in serialized
            )

    @api.depends("line_ids.move_ids.picking_id")
    def _compute_picking_ids(self):
        for request in self:
            request.picking_ids = request.line_ids.move_ids.picking_id
            request.picking_count = len(request.picking_ids)

    @api.depends("line_ids.qty_reserved", "line_ids.qty_delivered", "line_ids.quantity")
    def _compute_availability(self):
        for request in self:
            lines = request.line_ids
            covered = [min(line.qty_reserved + line.qty_delivered, line.quantity) for line in lines]
            if not lines or all(c >= line.quantity for c, line in zip(covered, lines, strict=False)):
                request.availability = "full" if request.line_ids.move_ids else "none"
            elif any(covered):
                request.availability = "partial"
            else:
                request.availability = "none"

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = sequence.next_by_code("svc.material.request") or _("New")
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "needed_date" in vals:
            self._check_slip()
        return result

    # ---------------------------------------------------------------- hooks
    def _svc_approval_amount(self):
        return self.estimated_value

    def _svc_approval_requester(self):
        return self.requested_by_id

    def _svc_approval_governed_line_fields(self):
        return {"product_id"}

    def _svc_approval_amount_line_fields(self):
        return {"quantity", "uom_id"}

    def _svc_on_approved(self):
        self.write({"state": "approved"})
        self._launch_fulfilment()

    def _svc_on_rejected(self, reason):
        self.write({"state": "rejected", "rejection_reason": reason})

    # -------------------------------------------------------------- actions
    def action_submit(self):
        """Check the request is complete, then ask the approval policies."""
        for request in self:
            request._check_complete()
        self.write({"state": "to_approve"})
        self._flag_urgent_anomalies()
        self.action_request_approval()
        ungoverned = self.filtered(
            lambda req: req.state == "to_approve" and req.approval_state == "not_required"
        )
        ungoverned._svc_approval_release()
        ungoverned._svc_on_approved()
        return True

    def action_add_kit(self, kit_id, multiplier=1.0):
        """Add the lines of one or more kits (ids) to a draft request; quantities of products
        already on the request are increased."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                _("Kits can only be added to a draft request; %s is already submitted.", self.name)
            )
        kits = self.env["svc.kit"].browse(ids_argument(kit_id, "kit_id")).exists()
        multiplier = number_argument(multiplier, "multiplier")
        if not kits:
            raise UserError(_("Choose an existing kit to add."))
        commands = []
        for values in kits._prepare_request_lines(multiplier):
            line = self.line_ids.filtered(
                lambda existing, pid=values["product_id"]: existing.product_id.id == pid
            )[:1]
            if line:
                commands.append(Command.update(line.id, {"quantity": line.quantity + values["quantity"]}))
            else:
                commands.append(Command.create(values))
        self.write({"line_ids": commands})
        return True

    def action_cancel(self):
        """Cancel the request and its open transfers; done deliveries stay as they are."""
        done = self.filtered(lambda req: req.state == "done")
        if done:
            raise UserError(
                _("%s is already delivered: it cannot be cancelled.", ", ".join(done.mapped("name")))
            )
        self.sudo()._open_moves()._action_cancel()
        (self.approval_request_ids | self.dispatch_id.approval_request_ids).filtered(
            lambda req: req.state in ("waiting", "pending", "escalated")
        ).sudo().write({"state": "cancelled"})
        self.write({"state": "cancelled"})
        return True

    def action_release_reservation(self):
        """Give the reserved stock back (the request stays open; the priority sweep may
        reserve again later). A warehouse manager's decision."""
        if not self.env.user.has_group("svc_warehouse_kits.group_kits_manager"):
            raise UserError(_("Only a warehouse manager (Material Requests / Manager) releases a reservation; "
                              "move the needed date instead and the reservation follows."))  # fmt: skip
        return self._release_reservation()

    def _release_reservation(self):
        moves = (
            self.sudo()._open_moves().filtered(lambda move: move.state in ("assigned", "partially_available"))
        )
        picked = moves.filtered("picked")
        if picked:
            raise UserError(_("Picking has started for %s: finish or cancel the transfer instead.",
                              ", ".join(picked.picking_id.mapped("name"))))  # fmt: skip
        moves._do_unreserve()
        for request in self:
            request.message_post(body=_("Reservation released back to stock."))
        return True

    def action_view_transfers(self):
        """Open the transfers of the request."""
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_dispatch(self):
        """Open the dispatch approval of the request."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dispatch Approval"),
            "res_model": "svc.material.dispatch",
            "res_id": self.dispatch_id.id,
            "view_mode": "form",
        }

    def action_open_kit_wizard(self):
        """Pick kits to add."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Add Kits"),
            "res_model": "svc.material.request.kit.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    # ------------------------------------------------------------- business
    def _check_complete(self):
        self.ensure_one()
        problems = []
        if self.state not in ("draft", "rejected"):
            raise UserError(_("%(name)s is %(state)s: only a draft request can be submitted.",
                              name=self.name, state=dict(self._fields["state"].selection)[self.state]))  # fmt: skip
        if not self.project_id:
            problems.append(_("choose the project"))
        if not self.needed_date or self.needed_date < fields.Date.context_today(self):
            problems.append(_("set a needed date from today on"))
        if not self.line_ids:
            problems.append(_("add at least one line (or a kit)"))
        if any(line.quantity <= 0 for line in self.line_ids):
            problems.append(_("give every line a positive quantity"))
        if self.destination_type == "site" and not (self.delivery_partner_id or self.project_id.partner_id):
            problems.append(_("give the site address"))
        if problems:
            raise UserError(_("%(name)s cannot be submitted yet: %(problems)s.", name=self.name,
                              problems="; ".join(problems)))  # fmt: skip

    def _open_moves(self):
        return self.line_ids.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))

    def _launch_fulfilment(self):
        """Create the transfers with Odoo's procurement rules and reserve with Odoo's reservation.

        Project deliveries go through the warehouse's "Project Supply" route (an internal
        transfer to the project's location); site deliveries through its delivery route.
        Shortages are replenished through the warehouse's own routes (Buy gives an RFQ).
        Idempotent: a request approved again (after a reset) only procures what its lines
        do not already have moves for. Works on the whole batch at once: one procurement
        group per request (one transfer each) created together, one procurement run for
        every line of the batch, each rule looked up once for the batch.
        """
        procurement = self.env["procurement.group"].sudo()
        requests = self.sudo()
        lines_todo = {}
        for line in requests.line_ids:
            ordered = sum(
                line.move_ids.filtered(lambda move: move.state != "cancel").mapped("product_uom_qty")
            )
            if line.quantity - ordered > 0:
                lines_todo[line] = line.quantity - ordered
        without_group = requests.filtered(lambda req: not req.procurement_group_id)
        groups = procurement.create(
            [
                {"name": request.name, "partner_id": request._delivery_partner().id}
                for request in without_group
            ]
        )
        group_by_request = dict(zip(without_group.ids, groups, strict=True))
        locations, routes, procurements = {}, {}, []
        for request in requests:
            warehouse = request.warehouse_id
            group = request.procurement_group_id or group_by_request[request.id]
            values = {"group_id": group, "warehouse_id": warehouse, "date_planned": request.needed_date,
                      "date_deadline": request.needed_date, "priority": "1" if request.priority != "0" else "0"}  # fmt: skip
            if request.destination_type == "project":
                key = (warehouse.id, request.project_id.id)
                if key not in locations:
                    locations[key] = request.location_dest_id or request._project_location()
                location = locations[key]
                if warehouse.id not in routes:
                    routes[warehouse.id] = warehouse._svc_project_supply_route()
                values["route_ids"] = routes[warehouse.id]
            else:
                location = request._delivery_partner().property_stock_customer
                values["partner_id"] = request._delivery_partner().id
            vals = {"location_dest_id": location.id if request.destination_type == "project" else False}
            if not request.procurement_group_id:
                vals["procurement_group_id"] = group.id
            if any(request[name].id != value for name, value in vals.items()):
                request.write(vals)
            for line in request.line_ids.filtered(lambda line: line in lines_todo):
                procurements.append(
                    procurement.Procurement(
                        line.product_id, lines_todo[line], line.uom_id, location, line.product_id.display_name,
                        request.name, request.company_id, dict(values, svc_request_line_id=line.id),
                    )
                )  # fmt: skip
        # one run for the batch: Odoo groups the moves by rule, creates and confirms them together;
        # the rule lookups (pull and push) are shared by the requests of the batch, and the
        # batch's transfers (one per request) are created together
        procurement.with_context(svc_rule_memo={}, svc_batch_pickings=True).run(procurements)
        requests._open_moves().filtered(
            lambda move: move.state in ("confirmed", "partially_available")
        )._action_assign()
        self.write({"state": "in_progress"})
        self._request_dispatch_approval()
        self._replenish_shortages()

    def _request_dispatch_approval(self):
        """Open the dispatch step of the requests whose serialized items cost more than the
        company's dispatch threshold (an existing one gets the new value: the engine sends it
        back to approval when the value rises and its policy says so)."""
        needing = self.filtered(
            lambda req: req.has_serialized and req.serialized_value > req.company_id.svc_dispatch_threshold
        )
        for request in needing.filtered("dispatch_id"):
            if request.dispatch_id.serialized_value != request.serialized_value:
                request.dispatch_id.sudo().write(request._dispatch_values())
        new = needing.filtered(lambda req: not req.dispatch_id)
        if not new:
            return
        dispatches = (
            self.env["svc.material.dispatch"]
            .sudo()
            .with_context(mail_create_nosubscribe=True)
            .create([dict(request._dispatch_values(), request_id=request.id) for request in new])
        )
        for request, dispatch in zip(new, dispatches, strict=True):
            request.sudo().dispatch_id = dispatch
        dispatches._request_approval_or_wait()
        for request in new:
            request.sudo()._message_log(
                body=_("Serialized assets worth %(value)s, above the dispatch threshold of %(threshold)s: the "
                       "transfer can be validated once the dispatch is approved (%(state)s).",
                       value=request.currency_id.format(request.serialized_value),
                       threshold=request.currency_id.format(request.company_id.svc_dispatch_threshold),
                       state=request.dispatch_id._svc_approval_state_label())
            )  # fmt: skip

    def _dispatch_values(self):
        self.ensure_one()
        serialized = self.line_ids.filtered(lambda line: line.product_id.tracking == "serial")
        return {
            "serialized_value": self.serialized_value,
            "serialized_summary": "\n".join(
                f"{line.quantity:g} x {line.product_id.display_name}" for line in serialized
            ),
        }

    def _replenish_shortages(self):
        """For what could not be reserved: run a procurement at the warehouse's stock (its
        routes decide: Buy gives an RFQ) and raise a shortage exception for the warehouse."""
        procurement = self.env["procurement.group"]
        procurements, short_requests, no_route = [], {}, {}
        for request in self:
            for line in request.line_ids.filtered(lambda line: line.product_id.type == "product"):
                missing = line.quantity - line.qty_reserved - line.qty_delivered
                if missing <= 0:
                    continue
                free = line.product_id.with_context(warehouse=request.warehouse_id.id).free_qty
                to_buy = missing - max(free, 0.0)
                short_requests.setdefault(request, []).append(f"{line.product_id.display_name}: {missing:g}")
                if to_buy > 0:
                    procurements.append(
                        procurement.Procurement(
                            line.product_id, to_buy, line.uom_id, request.warehouse_id.lot_stock_id,
                            line.product_id.display_name, request.name, request.company_id,
                            {"warehouse_id": request.warehouse_id, "date_planned": request.needed_date},
                        )
                    )  # fmt: skip
        for one in procurements:  # one by one: a product without a route must not stop the others
            try:
                with self.env.cr.savepoint():
                    procurement.sudo().run([one], raise_user_error=False)
            except ProcurementException:
                no_route.setdefault(one.origin, []).append(one.product_id.display_name)
        manager = self._warehouse_manager()
        for request, shortages in short_requests.items():
            unroutable = no_route.get(request.name)
            if unroutable:
                shortages.append(_("No route replenishes %s: give it a Buy route and a vendor, or restock by hand.",
                                   ", ".join(unroutable)))  # fmt: skip
            self.env["svc.exception"].raise_for(
                request, "shortage", "shortage",
                _("Shortage for %(name)s\n%(lines)s", name=request.name, lines="\n".join(shortages)),
                severity="high" if request.priority >= "2" else "medium", owner=manager,
                deadline=fields.Datetime.to_datetime(request.needed_date),
            )  # fmt: skip
        fully_reserved = self - self.browse([request.id for request in short_requests])
        if fully_reserved:
            self.env["svc.exception"].resolve_for(fully_reserved, "shortage", _("Fully reserved."))

    def _warehouse_manager(self, exclude=None):
        """Who owns the requests' warehouse exceptions: a warehouse manager (other than `exclude`),
        preferably not the administrator; the administrator when there is none."""
        admin = self.env.ref("base.user_admin")
        managers = self.env.ref("svc_warehouse_kits.group_kits_manager").users.filtered(
            lambda user: user.active and not user.share and user != self.env.ref("base.user_root")
        ) - (exclude or self.env["res.users"])
        return (managers - admin)[:1] or managers[:1] or admin

    def _delivery_partner(self):
        self.ensure_one()
        return self.delivery_partner_id or self.project_id.partner_id or self.company_id.partner_id

    def _project_location(self):
        """The project's own internal location under the warehouse's Projects location."""
        self.ensure_one()
        parent = self.warehouse_id._svc_projects_location()
        location = self.env["stock.location"].search(
            [("location_id", "=", parent.id), ("svc_project_id", "=", self.project_id.id)], limit=1
        )
        return location or self.env["stock.location"].sudo().create(
            {"name": self.project_id.name, "location_id": parent.id, "usage": "internal",
             "svc_project_id": self.project_id.id, "company_id": self.company_id.id}
        )  # fmt: skip

    def _flag_urgent_anomalies(self):
        """Advisory: repeated urgent requests from one project or requester in a short window."""
        company = self.env.company
        since = fields.Date.context_today(self) - timedelta(days=company.svc_urgent_window_days)
        for request in self.filtered("urgent"):
            for field_name, label in (("project_id", _("project")), ("requested_by_id", _("requester"))):
                count = self.search_count(
                    [(field_name, "=", request[field_name].id), ("urgent", "=", True), ("state", "!=", "draft"),
                     ("create_date", ">=", since), ("id", "!=", request.id)]
                ) + 1  # fmt: skip
                if count >= company.svc_urgent_repeat_threshold:
                    note = _("%(count)s urgent requests from this %(what)s in %(days)s days",
                             count=count, what=label, days=company.svc_urgent_window_days)  # fmt: skip
                    request.anomaly = note
                    self.env["svc.exception"].raise_for(
                        request, "urgent_anomaly", "anomaly", _("Repeated urgent requests: %(name)s\n%(note)s", name=request.name, note=note),
                        severity="low",
                    )  # fmt: skip
                    break

    def _check_slip(self):
        """Needed later than the horizon: give the reserved stock back and tell the requester."""
        horizon = fields.Date.context_today(self) + timedelta(days=self.env.company.svc_slip_horizon_days)
        slipped = self.filtered(
            lambda req: req.state in OPEN_STATES and req._effective_needed_date() > horizon
            and req.sudo()._open_moves().filtered(lambda move: move.state in ("assigned", "partially_available"))
        )  # fmt: skip
        for request in slipped.sudo():  # the system's consequence of a date someone else moved
            request._release_reservation()
            request.activity_schedule(
                "mail.mail_activity_data_todo", user_id=request.requested_by_id.id,
                summary=_("Reservation released"),
                note=_("%s is now needed after the reservation horizon: its stock went back to the shelf and "
                       "will be reserved again closer to the date.", request.name),
            )  # fmt: skip
        return slipped

    def _effective_needed_date(self):
        self.ensure_one()
        dates = [self.needed_date or fields.Date.context_today(self)]
        if self.project_id.date_start:
            dates.append(self.project_id.date_start)
        return max(dates)

    @api.model
    def _cron_reserve_by_priority(self, batch_size=200):
        """Hand scarce stock to the requests that need it most (priority, then needed date).

        Processes open requests by batches (committing between them when run as a scheduled
        action) and may take a reservation back from a lower-priority request needed later,
        never from a transfer already being picked. Both requests' chatters say so.
        """
        horizon = fields.Date.context_today(self) + timedelta(days=self.env.company.svc_slip_horizon_days)
        domain = [
            ("state", "in", OPEN_STATES),
            ("availability", "!=", "full"),
            ("needed_date", "<=", horizon),
        ]
        requests = self.search(domain, order="priority desc, needed_date, id")
        moved = 0
        for start in range(0, len(requests), batch_size):
            batch = requests[start : start + batch_size]
            moved += batch._reserve_by_priority()
            if self.env.context.get("svc_cron_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        return moved

    def _reserve_by_priority(self):
        """One batch of the sweep, in the order of `self` (most urgent first).

        Free stock first (one reservation call for the moves whose product has free stock at
        their location: for the others Odoo would only search the quants in vain); then, for
        what is still short, reservations of lower-priority requests needed later are taken
        back (one ordered query per product and location), released together and handed over
        together.
        """
        moves = self.sudo()._open_moves().filtered(
            lambda move: move.state in ("confirmed", "partially_available", "waiting")
            and move.product_id.type == "product"
        )  # fmt: skip
        moves._svc_with_free_stock()._action_assign()
        short = moves.filtered(lambda move: move.state != "assigned")
        handovers = short._svc_find_donors()
        donors = self.env["stock.move"].concat(*(donor for _move, donor in handovers))
        if not donors:
            return 0
        donors._do_unreserve()
        short._action_assign()
        bodies = defaultdict(list)
        for move, donor in handovers:
            taker, giver = move.svc_request_line_id.request_id, donor.svc_request_line_id.request_id
            body = _("%(product)s: reservation of %(from)s handed to %(to)s (priority %(prio)s, needed %(date)s).",
                     product=move.product_id.display_name, to=taker.name, prio=dict(PRIORITIES)[taker.priority],
                     date=taker.needed_date, **{"from": giver.name})  # fmt: skip
            bodies[taker.id].append(body)
            bodies[giver.id].append(body)
        self.browse(list(bodies)).sudo()._message_log_batch(
            bodies={request_id: Markup("<br/>").join(lines) for request_id, lines in bodies.items()}
        )
        return len(handovers)

    @api.constrains("needed_date", "state")
    def _check_needed_date(self):
        for request in self.filtered(lambda req: req.state == "draft" and req.needed_date):
            if request.needed_date < fields.Date.context_today(self) - timedelta(days=365):
                raise ValidationError(_("%s: the needed date is more than a year in the past.", request.name))
