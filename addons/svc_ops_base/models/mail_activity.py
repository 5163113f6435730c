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
        return self.sudo().with_context(mail_activity_quick_update=True).create(list(merged.values()))
