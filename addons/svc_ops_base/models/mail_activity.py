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

    def _svc_done_batch(self, feedback=False):
        """Mark these activities done as action_feedback does (the "done" message on each
        document, then the activity archived or deleted), with one message create per model
        instead of one message_post per activity: what a check that closes the warnings it no
        longer needs can afford. Activities that chain a next one or carry attachments go
        through Odoo's own path."""
        attached = set(
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
            .mapped("res_id")
        )
        special = self.filtered(
            lambda activity: activity.chaining_type == "trigger" or activity.id in attached
        )
        if special:
            special.action_feedback(feedback=feedback)
        simple = self - special
        if not simple:
            return
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_activities")
        author = self.env.user.partner_id
        for model, data in simple._classify_by_model().items():
            records = self.env[model].sudo().browse(data["record_ids"])
            # asked once for the batch: mail.message asks it record by record, one query each
            reply_to = records._notify_get_reply_to(default=author.email_formatted)
            records._message_create(
                [
                    {
                        "model": model,
                        "res_id": record.id,
                        "body": self.env["ir.qweb"]._render(
                            "mail.message_activity_done",
                            {
                                "activity": activity,
                                "feedback": feedback,
                                "display_assignee": activity.user_id != self.env.user,
                            },
                            minimal_qcontext=True,
                        ),
                        "message_type": "notification",
                        "subtype_id": subtype_id,
                        "mail_activity_type_id": activity.activity_type_id.id,
                        "author_id": author.id,
                        "email_from": author.email_formatted,
                        "reply_to": reply_to[record.id],
                        "record_name": record.display_name,
                    }
                    for record, activity in zip(records, data["activities"], strict=True)
                ]
            )
        kept = simple.filtered("activity_type_id.keep_done")
        kept.action_archive()
        (simple - kept).unlink()

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
