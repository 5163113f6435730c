from odoo.exceptions import UserError

from .common import SvcOpsCase


class TestPostBatch(SvcOpsCase):
    """`_svc_post_batch` posts one message per record to the partners it names, each notified as
    they prefer (Inbox or e-mail), with the e-mails queued and nobody made a follower."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ops_user.notification_type = "inbox"
        cls.vendor = cls.env["res.partner"].create({"name": "Batch Vendor", "email": "vendor@example.com"})
        cls.records = cls.env["svc.exception"].create(
            [{"name": f"Batch exception {index}"} for index in range(3)]
        )

    def _notifications(self, messages):
        return self.env["mail.notification"].search([("mail_message_id", "in", messages.ids)])

    def test_one_message_per_record_each_recipient_notified_as_they_prefer(self):
        first, second, third = self.records
        followers_before = self.records.message_partner_ids
        posts = {
            first.id: {"body": "Reminder <1>", "subject": "Please act", "partner_ids": self.vendor.ids},
            second.id: {"body": "For you", "partner_ids": self.ops_user.partner_id.ids},
            third.id: {"body": "Both", "partner_ids": [self.vendor.id, self.ops_user.partner_id.id]},
        }
        with self.assertQueryCount(__system__=16):
            messages = self.records._svc_post_batch(posts, subtype_xmlid="mail.mt_comment")
            self.env.flush_all()
        self.assertEqual(messages.mapped("res_id"), self.records.ids)
        self.assertEqual(messages[0].subject, "Please act")
        self.assertIn("Reminder &lt;1&gt;", messages[0].body, "plain text is escaped, as message_post does")
        self.assertEqual(set(messages.mapped("message_type")), {"comment"})
        self.assertEqual(messages[2].partner_ids, self.vendor | self.ops_user.partner_id)
        self.assertIn(messages[0], first.message_ids)

        notifications = self._notifications(messages)
        by_partner = {(n.mail_message_id, n.res_partner_id): n.notification_type for n in notifications}
        self.assertEqual(
            by_partner,
            {
                (messages[0], self.vendor): "email",
                (messages[1], self.ops_user.partner_id): "inbox",
                (messages[2], self.vendor): "email",
                (messages[2], self.ops_user.partner_id): "inbox",
            },
        )
        mails = notifications.mail_mail_id
        self.assertEqual(len(mails), 2, "one e-mail per message that has an e-mail recipient")
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued for the mail queue, not sent")
        self.assertEqual(mails.recipient_ids, self.vendor)
        self.assertEqual(self.records.message_partner_ids, followers_before, "nobody made a follower")

    def test_nothing_to_post(self):
        self.assertFalse(self.records._svc_post_batch({}))


class TestAuthorWithoutEmail(SvcOpsCase):
    """A user without an e-mail address who posts gets the suite's sentence saying where to set
    one, instead of Odoo's generic "Unable to send message"; superuser posts still go through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ops_manager.email = False
        cls.record = cls.env["svc.exception"].create({"name": "Needs a decision"})

    def test_posting_without_email_says_where_to_set_it(self):
        with self.assertRaisesRegex(
            UserError,
            r"^Set an e-mail address on your user \(your avatar, then My Profile\) to post decisions "
            r"and messages on Service Operations Exception\.$",
        ):
            self.record.with_user(self.ops_manager).message_post(body="Decided")
        self.assertFalse(self.record.message_ids.filtered(lambda message: message.body == "<p>Decided</p>"))

    def test_superuser_and_users_with_email_still_post(self):
        message = self.record.with_user(self.ops_manager).sudo().message_post(body="Posted by the engine")
        self.assertEqual(message.author_id, self.ops_manager.partner_id)
        self.assertFalse(message.email_from, "no address to put, and Odoo does not need one in su mode")
        self.ops_manager.email = "manager@example.com"
        message = self.record.with_user(self.ops_manager).message_post(body="Posted once the address is set")
        self.assertEqual(message.email_from, self.ops_manager.partner_id.email_formatted)


class TestActivityDoneBatch(SvcOpsCase):
    """`_svc_done_batch` closes activities as action_feedback does: a "done" message on each
    document with the feedback, then the activity is gone."""

    def test_done_message_on_each_document_then_the_activities_are_gone(self):
        records = self.env["svc.exception"].create([{"name": f"Watched {index}"} for index in range(2)])
        warning = self.env.ref("mail.mail_activity_data_warning")
        activities = self.env["mail.activity"]._svc_create_batch(
            [
                {"res_model_id": self.env["ir.model"]._get_id("svc.exception"), "res_id": record.id,
                 "activity_type_id": warning.id, "summary": "Watch it", "note": "Original words",
                 "user_id": self.ops_user.id}
                for record in records
            ]
        )  # fmt: skip
        activities._svc_done_batch(feedback="Back to normal")
        self.assertFalse(activities.exists())
        for record in records:
            done = record.message_ids.filtered(lambda message: message.mail_activity_type_id == warning)
            self.assertEqual(len(done), 1)
            self.assertEqual(done.subtype_id, self.env.ref("mail.mt_activities"))
            self.assertIn("Back to normal", done.body)
            self.assertIn("Watch it", done.body)
            self.assertIn("Original words", done.body)
            # the reply-to and document name Odoo would give the message, asked once for the batch
            self.assertEqual(done.record_name, record.display_name)
            self.assertEqual(done.reply_to, record._notify_get_reply_to(default=done.email_from)[record.id])
