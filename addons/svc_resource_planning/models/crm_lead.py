from datetime import timedelta

from odoo import _, fields, models

from .capacity_math import week_monday

PROVISIONAL_WEEKS = 4


class CrmLead(models.Model):
    _inherit = "crm.lead"

    svc_staffing_request_ids = fields.One2many("svc.staffing.request", "lead_id", "Staffing Requests")
    svc_staffing_request_count = fields.Integer("Staffing", compute="_compute_svc_staffing_request_count")

    def _compute_svc_staffing_request_count(self):
        counts = dict(
            self.env["svc.staffing.request"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.svc_staffing_request_count = counts.get(lead, 0)

    def action_view_svc_staffing_requests(self):
        """The staffing requests opened for this opportunity."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "svc_resource_planning.action_svc_staffing_request"
        )
        action.update(domain=[("lead_id", "=", self.id)], context={"default_lead_id": self.id})
        return action

    def _svc_sync_staffing_requests(self):
        """Follow the pipeline: reaching the company's late-stage probability opens a provisional
        request whose best candidates get tentative allocations (at once when no policy asks
        for approval, once it is approved otherwise); winning makes it a normal request; losing
        cancels it and frees the tentative hours. Run by the automation rule
        "Staffing: opportunities open provisional requests"; safe to run again."""
        Request = self.env["svc.staffing.request"].sudo()
        for lead in self.sudo().with_context(active_test=False):
            requests = lead.svc_staffing_request_ids.filtered(lambda request: request.state != "cancelled")
            won = lead.active and (lead.probability >= 100 or lead.stage_id.is_won)
            lost = not lead.active or (lead.probability <= 0 and not lead.stage_id.is_won)
            if lost:
                if requests:
                    requests.action_cancel()
                    for request in requests:
                        request._message_log(
                            body=_("Opportunity %s lost: request cancelled, hours freed.", lead.name)
                        )
                continue
            if won:
                requests.action_make_firm()
                continue
            if requests or lead.type != "opportunity":
                continue
            if lead.probability < lead.company_id.svc_late_stage_probability:
                continue
            request = Request.create(lead._svc_provisional_request_values())
            # under a policy with steps the request waits for approval: its hours are booked
            # when it is approved (svc.staffing.request._svc_on_approved), not now
            request.action_submit()
            request._svc_book_provisional()
        return True

    def _svc_provisional_request_values(self):
        """One role per service line of the opportunity's quotations, or one consultant role."""
        self.ensure_one()
        start = week_monday(fields.Date.context_today(self)) + timedelta(weeks=2)
        service_lines = self.order_ids.filtered(
            lambda order: order.state in ("draft", "sent")
        ).order_line.filtered("is_service")
        roles = [
            (line.product_id.name, min(40.0, line.product_uom_qty) or 8.0) for line in service_lines
        ] or [(_("Consultant"), 40.0)]
        return {
            "lead_id": self.id,
            "company_id": (self.company_id or self.env.company).id,
            "requested_by_id": (self.user_id or self.env.user).id,
            "is_provisional": True,
            "line_ids": [
                (0, 0, {"role": role, "hours_per_week": hours, "date_from": start,
                        "date_to": start + timedelta(weeks=PROVISIONAL_WEEKS, days=-3)})
                for role, hours in roles
            ],
        }  # fmt: skip
