import math
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from .capacity_math import week_monday

HOURS_PER_FULL_WEEK = 40.0
EXHAUSTED_KEY = "retainer_exhausted"  # the exception of a used-up retainer, closed by an approved overage
RETAINER_STATES = [
    ("ok", "OK"),
    ("warning", "Warning"),
    ("exhausted", "Exhausted"),
    ("overage_approved", "Overage Approved"),
]


class SaleOrderLine(models.Model):
    """Retainers: a prepaid/fixed-hours service line whose consumption is watched; sold
    service lines also open the staffing request of their project.

    Consumed hours are sale_timesheet's delivered quantity. At the order's warning
    threshold the account manager gets an activity and a client notice to confirm; at
    100% more time on the line is refused until an overage request is approved.
    """

    _inherit = "sale.order.line"

    svc_rate_override_id = fields.Many2one(
        "svc.service.request", "Rate Override", readonly=True, copy=False, index="btree_not_null",
        help="The approved rate override request that allows this line's price under its rate card.",
    )  # fmt: skip

    svc_is_retainer = fields.Boolean(
        "Retainer", compute="_compute_svc_is_retainer", store=True, index=True,
        help="A prepaid/fixed-hours service tracked by timesheets.",
    )  # fmt: skip
    svc_contracted_hours = fields.Float("Contracted Hours", compute="_compute_svc_retainer", store=True)
    svc_overage_hours = fields.Float(
        "Approved Overage Hours", compute="_compute_svc_retainer", store=True,
        help="Extra hours approved through overage requests, on top of the contracted hours.",
    )  # fmt: skip
    svc_consumed_hours = fields.Float("Consumed Hours", compute="_compute_svc_retainer", store=True)
    svc_consumption = fields.Float(
        "Consumption (%)", compute="_compute_svc_retainer", store=True, group_operator="avg"
    )
    svc_retainer_state = fields.Selection(
        RETAINER_STATES, "Retainer Status", compute="_compute_svc_retainer", store=True, index=True
    )
    svc_overage_ids = fields.One2many("svc.retainer.overage", "sale_line_id", "Overage Requests")
    svc_invoiced_overage_id = fields.Many2one(
        "svc.retainer.overage", "Invoices Overage", readonly=True, copy=False, index="btree_not_null",
        help="This line invoices the extra hours of this approved overage request at its rate.",
    )  # fmt: skip
    svc_warning_notified_at = fields.Datetime("Warning Notified", readonly=True, copy=False)
    svc_exhausted_notified_at = fields.Datetime("Exhaustion Notified", readonly=True, copy=False)
    svc_client_notice_state = fields.Selection(
        [("none", "None"), ("to_confirm", "To Confirm"), ("sent", "Sent")],
        "Client Notice", default="none", readonly=True, copy=False,
        help="The client notice is prepared at the warning threshold and sent only when the "
        "account manager confirms it.",
    )  # fmt: skip

    @api.depends("product_id.service_policy", "product_id.type", "is_service", "svc_invoiced_overage_id")
    def _compute_svc_is_retainer(self):
        # an overage line is invoiced on ordered hours too, but it is the retainer's extension, not one
        for line in self:
            line.svc_is_retainer = (
                line.is_service
                and line.product_id.service_policy == "ordered_prepaid"
                and not line.svc_invoiced_overage_id
            )

    @api.depends(
        "svc_is_retainer", "product_uom_qty", "qty_delivered", "product_uom",
        "svc_overage_ids.state", "svc_overage_ids.hours", "order_id.svc_retainer_warning_threshold",
    )  # fmt: skip
    def _compute_svc_retainer(self):
        hour = self.env.ref("uom.product_uom_hour")
        for line in self:
            if not line.svc_is_retainer:
                line.update({"svc_contracted_hours": 0.0, "svc_consumed_hours": 0.0, "svc_overage_hours": 0.0,
                             "svc_consumption": 0.0, "svc_retainer_state": False})  # fmt: skip
                continue
            uom = line.product_uom
            to_hours = (
                (lambda qty, uom=uom: uom._compute_quantity(qty, hour, raise_if_failure=False))
                if uom and uom.category_id == hour.category_id
                else (lambda qty: qty)
            )
            contracted = to_hours(line.product_uom_qty)
            consumed = to_hours(line.qty_delivered)
            overage = sum(line.svc_overage_ids.filtered(lambda o: o.state == "approved").mapped("hours"))
            consumption = consumed / contracted * 100.0 if contracted else 0.0
            threshold = line.order_id.svc_retainer_warning_threshold or 80.0
            if consumed >= contracted + overage and contracted:
                state = "exhausted"
            elif overage and consumed >= contracted:
                state = "overage_approved"
            elif consumption >= threshold:
                state = "warning"
            else:
                state = "ok"
            line.update({"svc_contracted_hours": contracted, "svc_consumed_hours": consumed,
                         "svc_overage_hours": overage, "svc_consumption": consumption,
                         "svc_retainer_state": state})  # fmt: skip

    @api.depends("svc_overage_hours", "svc_consumed_hours")
    def _compute_invoice_status(self):
        """Time beyond the contracted hours but within an approved overage is invoiced on the
        overage's own line, so for the retainer it is no upselling opportunity."""
        result = super()._compute_invoice_status()
        precision = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        for line in self.filtered(lambda line: line.invoice_status == "upselling" and line.svc_overage_hours):
            allowance = line.svc_contracted_hours + line.svc_overage_hours
            if float_compare(line.svc_consumed_hours, allowance, precision_digits=precision) <= 0:
                invoiced = (
                    float_compare(line.qty_invoiced, line.product_uom_qty, precision_digits=precision) >= 0
                )
                line.invoice_status = "invoiced" if invoiced else "no"
        return result

    # --------------------------------------------------------------- actions
    def action_svc_send_client_notice(self):
        """The account manager confirms: send the prepared client notice (mail template)."""
        for line in self:
            manager = line.order_id.user_id
            if self.env.user != manager and not self.env.user.has_group("sales_team.group_sale_manager"):
                raise AccessError(
                    _("Only the account manager of %(order)s (%(who)s) or a sales manager may send its client notice.",
                      order=line.order_id.name, who=manager.name or _("nobody")))  # fmt: skip
            if line.svc_client_notice_state != "to_confirm":
                raise UserError(
                    _("No client notice is waiting for confirmation on %s: it is prepared when the retainer "
                      "reaches its warning threshold, and sent once.", line.display_name)
                )  # fmt: skip
        template = self.env.ref("svc_resource_planning.mail_template_retainer_client_notice")
        for line in self:
            template.sudo().send_mail(line.id)
            line.order_id.sudo().message_post(
                body=_("Retainer notice sent to the client for %(line)s (%(pct)s%% consumed), confirmed by %(user)s.",
                       line=line.name, pct=round(line.svc_consumption), user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )  # fmt: skip
        self.sudo().write({"svc_client_notice_state": "sent"})
        return True

    def action_svc_request_overage(self):
        """Open a new overage request for this retainer line."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "svc.retainer.overage",
            "view_mode": "form",
            "target": "current",
            "context": {"default_sale_line_id": self.id, "default_rate": self.price_unit},
        }

    # -------------------------------------------------------------- business
    @api.model
    def _cron_svc_check_retainers(self, batch_size=1000):
        """Notify the retainers that crossed a threshold since the last run (idempotent)."""
        domain = [
            ("svc_is_retainer", "=", True),
            "|",
            "&", ("svc_retainer_state", "in", ("warning", "exhausted", "overage_approved")),
            ("svc_warning_notified_at", "=", False),
            "&", ("svc_retainer_state", "=", "exhausted"), ("svc_exhausted_notified_at", "=", False),
        ]  # fmt: skip
        lines = self.search(domain, order="id")
        for start in range(0, len(lines), batch_size):
            lines[start : start + batch_size]._svc_notify_thresholds()
            if self.env.context.get("svc_cron_commit"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(lines)

    def _svc_notify_thresholds(self):
        """Warning: an activity for the account manager and a client notice to confirm.
        Exhaustion: an activity, an event and an exception. Each happens once per line (once
        per allowance: an approved overage re-arms the exhaustion); batched."""
        retainers = self.filtered("svc_is_retainer")
        now = fields.Datetime.now()
        warn = retainers.filtered(
            lambda line: (
                line.svc_retainer_state in ("warning", "exhausted", "overage_approved")
                and not line.svc_warning_notified_at
            )
        )
        exhausted = retainers.filtered(
            lambda line: line.svc_retainer_state == "exhausted" and not line.svc_exhausted_notified_at
        )
        if not (warn or exhausted):
            return
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        order_model = self.env["ir.model"]._get_id("sale.order")
        activities, events = [], {"warning": [], "exhausted": []}
        for line, kind in [(line, "warning") for line in warn] + [(line, "exhausted") for line in exhausted]:
            order = line.order_id
            summary = (
                _("Retainer at %(pct)s%%: confirm the client notice", pct=round(line.svc_consumption))
                if kind == "warning"
                else _("Retainer exhausted: %(line)s", line=line.name)
            )
            values = {
                "res_model_id": order_model, "res_id": order.id, "activity_type_id": todo_type.id,
                "user_id": (order.user_id or order.create_uid).id, "summary": summary,
                "note": _("%(consumed)s of %(contracted)s hours consumed on %(line)s.",
                          consumed=round(line.svc_consumed_hours, 2), contracted=line.svc_contracted_hours,
                          line=line.name),
                "date_deadline": fields.Date.context_today(self),
            }  # fmt: skip
            activities.append(values)
            events[kind].append((
                line,
                {"order": order.name, "line_id": line.id, "partner": order.partner_id.display_name,
                 "contracted_hours": line.svc_contracted_hours, "consumed_hours": line.svc_consumed_hours,
                 "consumption": round(line.svc_consumption, 2)},
            ))  # fmt: skip
        for kind, pairs in events.items():
            self.env["svc.outbox.event"]._publish_many(f"retainer.{kind}", pairs)
        self.env["mail.activity"]._svc_create_batch(activities)
        if warn:
            warn.sudo().write({"svc_warning_notified_at": now, "svc_client_notice_state": "to_confirm"})
        if exhausted:
            exhausted._svc_raise_exhausted()
            exhausted.sudo().write({"svc_exhausted_notified_at": now})

    def _svc_raise_exhausted(self):
        """An exception per used-up retainer, owned by its account manager; an approved
        overage resolves it (svc.retainer.overage._svc_on_approved)."""
        self.env["svc.exception"]._raise_many(EXHAUSTED_KEY, "billing", [
            {"record": line, "owner": line.order_id.user_id or None,
             "message": _("Retainer %(line)s of %(order)s exhausted\n%(consumed)s of %(allowed)s hours used: more "
                          "time is refused until an overage request is approved.",
                          line=line.name, order=line.order_id.name, consumed=round(line.svc_consumed_hours, 2),
                          allowed=round(line.svc_contracted_hours + line.svc_overage_hours, 2))}
            for line in self
        ])  # fmt: skip

    def _svc_check_allowance(self, added_hours_by_line):
        """Refuse more time on retainers that were already used up before this change.

        `added_hours_by_line` maps a retainer line to the hours this change adds to it.
        """
        for line, added in added_hours_by_line.items():
            if added <= 0:
                continue
            allowance = line.svc_contracted_hours + line.svc_overage_hours
            before = line.svc_consumed_hours - added
            if line.svc_contracted_hours and before >= allowance - 1e-6:
                raise UserError(
                    _("The retainer %(line)s of %(order)s is exhausted (%(consumed)s of %(allowed)s hours used). "
                      "No more time can be logged on it until an overage request is approved: ask the account "
                      "manager (%(manager)s) for one.",
                      line=line.name, order=line.order_id.name, consumed=round(before, 2),
                      allowed=round(allowance, 2), manager=line.order_id.user_id.name or "-")
                )  # fmt: skip

    def _svc_open_staffing_requests(self):
        """Confirmed service lines that got a project open (or extend) their order's staffing
        request: one role per line, hours from the ordered quantity spread over full-time
        weeks. Run by the automation rule "Staffing: sold services open a staffing request";
        running it again adds nothing."""
        lines = self.filtered(
            lambda line: line.is_service and line.project_id and line.order_id.state == "sale"
        ).sudo()
        Request = self.env["svc.staffing.request"].sudo()
        hour = self.env.ref("uom.product_uom_hour")
        by_order = defaultdict(lambda: self.browse().sudo())
        for line in lines:
            by_order[line.order_id] |= line
        for order, order_lines in by_order.items():
            request = Request.search(
                [("sale_order_id", "=", order.id), ("state", "!=", "cancelled")], limit=1
            ) or Request.search(
                [
                    ("lead_id", "!=", False),
                    ("lead_id", "=", order.opportunity_id.id),
                    ("state", "!=", "cancelled"),
                ],
                limit=1,
            )
            project = order_lines.project_id[:1]
            if request:
                request.write({"sale_order_id": order.id, "project_id": request.project_id.id or project.id})
                request.allocation_ids.filtered(lambda alloc: not alloc.project_id).write(
                    {"project_id": project.id}
                )
            else:
                request = Request.create(
                    {
                        "project_id": project.id,
                        "sale_order_id": order.id,
                        "company_id": order.company_id.id,
                        "requested_by_id": (order.user_id or self.env.user).id,
                    }
                )
            known = set(request.line_ids.sale_line_id.ids)
            start = fields.Date.to_date(order.commitment_date) or fields.Date.context_today(self)
            start = week_monday(start) + timedelta(weeks=1) if start.weekday() else start
            values = []
            for line in order_lines.filtered(lambda line, known=known: line.id not in known):
                hours = line.product_uom_qty
                if line.product_uom.category_id == hour.category_id:
                    hours = line.product_uom._compute_quantity(line.product_uom_qty, hour)
                weeks = max(1, math.ceil(hours / HOURS_PER_FULL_WEEK))
                values.append(
                    {
                        "request_id": request.id,
                        "role": line.product_id.name,
                        "sale_line_id": line.id,
                        "hours_per_week": round(hours / weeks, 2) or 1.0,
                        "date_from": start,
                        "date_to": start + timedelta(weeks=weeks, days=-3),
                    }
                )
            if values:
                self.env["svc.staffing.request.line"].sudo().create(values)
                if request.state == "draft":
                    request.action_submit()
                request._message_log(body=_("%s roles added from the confirmed order.", len(values)))
        return True

    # ------------------------------------------------------------------ rate overrides
    def _svc_rate_card_price(self):
        """The rate card of the line: its pricelist's price (the product's list price when the
        pricelist has no rule), in the order's currency and unit."""
        self.ensure_one()
        if not self.product_id or not self.product_uom:
            return 0.0
        return self.sudo()._get_pricelist_price()

    def _svc_under_rate_card(self):
        """The service lines priced under their rate card without an approved override at (or
        under) that price. Goods are left to the sales order gate's margin and discount
        policies: a rate card is what a firm sells its people's time at."""
        under = self.browse()
        for line in self.filtered(lambda line: line.product_id.type == "service" and not line.display_type):
            currency = line.order_id.currency_id
            if (
                float_compare(
                    line.price_unit, line._svc_rate_card_price(), precision_rounding=currency.rounding
                )
                >= 0
            ):
                continue
            override = line.svc_rate_override_id
            if (
                override.state == "approved"
                and float_compare(line.price_unit, override.price_unit, precision_rounding=currency.rounding)
                >= 0
            ):
                continue
            under |= line
        return under
