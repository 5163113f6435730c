from markupsafe import escape

from odoo import Command, _, api, models
from odoo.exceptions import UserError


class MailThread(models.AbstractModel):
    """Messages the suite posts in bulk (crons, batch decisions) to a few named recipients."""

    _inherit = "mail.thread"

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """Odoo's author computation, with a sentence that says what to do when the author has no
        e-mail address: Odoo raises a generic "Unable to send message" where this raises, i.e.
        `raise_on_email` outside superuser mode (the approval engine posts as superuser)."""
        author_id, email_from = super()._message_compute_author(author_id, email_from, raise_on_email=False)
        if not email_from and raise_on_email and not self.env.su:
            documents = (
                self.env["ir.model"]._get(self._name).name if self._name != "mail.thread" else _("documents")
            )
            raise UserError(
                _(
                    "Set an e-mail address on your user (your avatar, then My Profile) to post decisions "
                    "and messages on %(documents)s.",
                    documents=documents,
                )
            )
        return author_id, email_from

    def _svc_post_batch(self, posts, subtype_xmlid="mail.mt_note", auto_delete=True):
        """Post one message on each record of `posts` and notify only the partners it names, with
        one create per kind of row (messages, inbox notifications, e-mails) for the whole batch.

        What message_post does for an explicit recipient list (message in the chatter, Inbox
        notification or e-mail per each recipient's preference, delivery status), without what a
        job does not need per record: no follower notification, no subscription of the author, no
        e-mail layout, and e-mails queued for Odoo's mail queue instead of sent in the transaction.

        `posts`: {record id: {"body", "subject" (optional), "partner_ids", "author_id" (optional,
        else the current user's partner), "email_from" (optional)}}, record ids of this model.
        Returns the messages in the order of `posts`.
        """
        if not posts:
            return self.env["mail.message"]
        records = self.browse(list(posts))
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid)
        reply_to = records._notify_get_reply_to()
        companies = records._mail_get_companies(default=self.env.company)
        authors = {}
        message_values = []
        for record in records:
            post = posts[record.id]
            author_key = (post.get("author_id"), post.get("email_from"))
            if author_key not in authors:
                authors[author_key] = records._message_compute_author(*author_key, raise_on_email=False)
            author_id, email_from = authors[author_key]
            message_values.append(
                {
                    "model": self._name,
                    "res_id": record.id,
                    "record_name": record.display_name,
                    "record_company_id": companies[record.id].id,
                    "message_type": "comment",
                    "subtype_id": subtype_id,
                    "subject": post.get("subject") or False,
                    "body": escape(post["body"]),  # plain text is escaped, Markup kept
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reply_to.get(record.id) or email_from,
                    "partner_ids": list(post["partner_ids"]),
                    "email_add_signature": False,
                }
            )
        messages = records._message_create(message_values)
        partners = self.env["res.partner"].browse(
            {pid for values in message_values for pid in values["partner_ids"]}
        )
        channel = {partner.id: self._svc_notification_channel(partner) for partner in partners}
        mail_values, inbox_values, emailed = [], [], []
        for message, values in zip(messages, message_values, strict=True):
            inbox_values += [
                {"author_id": message.author_id.id, "mail_message_id": message.id, "res_partner_id": pid,
                 "notification_type": "inbox", "is_read": False}
                for pid in values["partner_ids"] if channel[pid] == "inbox"
            ]  # fmt: skip
            email_ids = [pid for pid in values["partner_ids"] if channel[pid] == "email"]
            if email_ids:
                emailed.append((message, email_ids))
                mail_values.append(
                    {"mail_message_id": message.id, "body_html": values["body"], "auto_delete": auto_delete,
                     "recipient_ids": [Command.link(pid) for pid in email_ids], "references": message.message_id,
                     "is_notification": True}
                )  # fmt: skip
        mails = self.env["mail.mail"].sudo().create(mail_values)
        email_values = [
            {"author_id": message.author_id.id, "mail_message_id": message.id, "mail_mail_id": mail.id,
             "res_partner_id": pid, "notification_type": "email", "notification_status": "ready", "is_read": True}
            for (message, email_ids), mail in zip(emailed, mails, strict=True)
            for pid in email_ids
        ]  # fmt: skip
        self.env["mail.notification"].sudo().create(inbox_values + email_values)
        return messages

    @api.model
    def _svc_notification_channel(self, partner):
        """How `partner` wants to be notified, as Odoo decides it: the preference of their
        internal user (else their portal user), e-mail when they have no user."""
        users = partner.user_ids.filtered("active").sorted(lambda user: (user.share, user.id))
        return users[:1].notification_type if users else "email"
