import math
from collections import defaultdict
from datetime import timedelta

from odoo import _, fields, models

from .capacity_math import week_monday

HOURS_PER_FULL_WEEK = 40.0


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

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
