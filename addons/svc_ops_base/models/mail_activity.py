from collections import defaultdict

from odoo import api, models


class MailActivity(models.Model):
    """Activities the suite schedules in bulk (crons, checks over many documents)."""

    _inherit = "mail.activity"

    @api.model
    def _svc_create_batch(self, values_list):
        """Create many activities in one batch, as the suite's crons need, without Odoo's
        assignment e-mail per activity (the activity itself is the notice).

        mail.activity's batch create subscribes the assignee once per activity and fails on a
        duplicate follower when two activities of one batch share a record and a user, so
        those become one activity whose summary and note say both.
        """
        merged = {}
        for values in values_list:
            key = (values["res_model_id"], values["res_id"], values["user_id"])
            if key in merged:
                merged[key]["summary"] = f"{merged[key]['summary']}; {values['summary']}"
                merged[key]["note"] = f"{merged[key].get('note') or ''} {values.get('note') or ''}".strip()
            else:
                merged[key] = dict(values)
        self._svc_fill_stored_computes(merged.values())
        return self.sudo().with_context(mail_activity_quick_update=True).create(list(merged.values()))

    @api.model
    def _svc_fill_stored_computes(self, values_list):
        """Give each activity its document name and empty done date up front: computed
        after the insert, they cost one UPDATE per activity (every document name differs)."""
        res_ids_by_model = defaultdict(set)
        for values in values_list:
            res_ids_by_model[values["res_model_id"]].add(values["res_id"])
        names = {}
        for model in self.env["ir.model"].sudo().browse(res_ids_by_model):
            for record in self.env[model.model].sudo().browse(res_ids_by_model[model.id]):
                names[(model.id, record.id)] = record.display_name
        for values in values_list:
            values.setdefault("res_name", names[(values["res_model_id"], values["res_id"])])
            values.setdefault("date_done", False)
