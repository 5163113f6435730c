from odoo import _, fields, models

LATE_KEY = "inbound_late"
MAX_LISTED = 30
MAX_PUBLISHED = 100


class PurchaseOrder(models.Model):
    """Inbound side of a purchase order: shipment tracking and late inbound against committed demand.

    (Kept apart from purchase_order.py, which holds approval and acknowledgment.)
    """

    _inherit = "purchase.order"

    svc_tracking_ref = fields.Char(
        "Shipment Tracking",
        copy=False,
        tracking=True,
        help="The tracking reference of the last shipment update.",
    )
    inbound_late = fields.Boolean(
        "Late Inbound",
        copy=False,
        readonly=True,
        index=True,
        help="An open receipt of this order now arrives after committed deliveries or material requests "
        "it was to serve (see the inbound_late exception).",
    )
    inbound_late_count = fields.Integer(
        "Late Demands",
        copy=False,
        readonly=True,
        help="Committed outgoing moves this order's receipts now miss.",
    )

    def action_check_late_inbound(self):
        """Re-run the late-inbound check of these orders now (also what a date change does)."""
        self._svc_check_late_inbound()
        return True

    def action_open_late_inbound_exception(self):
        """The open inbound_late exception of this order."""
        self.ensure_one()
        exception = self.env["svc.exception"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("key", "=", LATE_KEY)],
            order="id desc",
            limit=1,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "svc.exception",
            "res_id": exception.id,
            "views": [(False, "form")],
        }

    def _svc_check_late_inbound(self):
        """Raise, refresh or resolve the inbound_late exception of each order.

        Late: an open receipt now arrives after outgoing moves with a deadline (customer
        deliveries, material requests) that on-hand stock and earlier receipts no longer
        cover. Then one exception per order lists them, each salesperson or requester gets
        one activity naming their documents, and purchase.inbound_late is published, each
        only when the list or the expected day changed. Nothing late any more: the exception is resolved.
        """
        # as superuser: whoever moved the date (a buyer, the inbox) may not read the sales or
        # requests the receipt serves, yet their owners must be warned
        orders = self.sudo().filtered(lambda order: order.state in ("purchase", "done") or order.inbound_late)
        late = self.env["stock.move"]._svc_late_demands(orders.ids)
        for order in orders:
            rows = late.get(order.id)
            if rows:
                order._svc_raise_inbound_late(rows)
            elif order.inbound_late:
                order._svc_resolve_inbound_late()

    def _svc_raise_inbound_late(self, rows):
        self.ensure_one()
        move_ids = [row[0] for row in rows]
        documents = self.env["stock.move"].browse(move_ids)._svc_demand_documents()
        by_user = {}  # {user: {document: None}}: each person's documents, in deadline order, once
        for document, user in documents.values():
            if user:
                by_user.setdefault(user, {})[document] = None
        by_user = {user: list(user_documents) for user, user_documents in by_user.items()}
        # a check can find thousands of late demands: read only what the exception, the
        # event and the activities show (the first ones), not every demand and its document
        shown = self.env["stock.move"].browse(move_ids[:MAX_PUBLISHED])
        shown.fetch(["product_id", "picking_id"])
        shown.picking_id.fetch(["name"])
        self._svc_fetch_display_names(
            [documents[move.id][0] for move in shown]
            + [document for user_documents in by_user.values() for document in user_documents[:MAX_LISTED]]
        )
        expected = max(row[3] for row in rows)
        line = _("%(document)s: %(product)s due %(deadline)s, short %(quantity)s")  # translated once
        listed = list(zip(shown, rows[:MAX_PUBLISHED], strict=True))  # the shown moves and their rows
        lines = [
            line
            % {
                "document": documents[move.id][0].display_name,
                "product": move.product_id.display_name,
                "deadline": fields.Datetime.to_string(deadline)[:10],
                "quantity": round(shortage, 4),
            }
            for move, (_move_id, deadline, shortage, _expected) in listed[:MAX_LISTED]
        ]
        more = len(rows) - MAX_LISTED
        message = "\n".join(
            [
                _(
                    "Late inbound: %(order)s now arrives %(date)s, after %(count)s committed demand(s)",
                    order=self.name,
                    date=fields.Datetime.to_string(expected)[:10],
                    count=len(rows),
                ),
                *lines,
                *([_("... and %s more", more)] if more > 0 else []),
            ]
        )
        queue = self.env["svc.exception"].sudo()
        previous = False
        if self.inbound_late:
            previous = queue.search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("key", "=", LATE_KEY),
                 ("state", "in", ("open", "in_progress"))],
                limit=1,
            ).message  # fmt: skip
        queue.raise_for(self, LATE_KEY, "general", message, severity="high", owner=self.user_id or None)
        if previous == message:
            return
        self.sudo().write({"inbound_late": True, "inbound_late_count": len(rows)})
        self._svc_notify_late_demand(by_user)
        self.env["svc.outbox.event"]._publish(
            "purchase.inbound_late",
            self,
            {
                "purchase_order": self.name,
                "expected_date": expected,
                "affected_count": len(rows),
                "affected": [
                    {
                        "document": documents[move.id][0].display_name,
                        "transfer": move.picking_id.name or False,
                        "product": move.product_id.default_code or move.product_id.name,
                        "deadline": deadline,
                        "shortage": shortage,
                    }
                    for move, (_move_id, deadline, shortage, _expected) in listed
                ],
            },
        )

    def _svc_fetch_display_names(self, records):
        """Read the display names of `records` (of any models) with one query per model, and
        nothing else of them: a document's display name then costs no query of its own."""
        ids_by_model = {}
        for record in records:
            ids_by_model.setdefault(record._name, set()).add(record.id)
        for model, ids in ids_by_model.items():
            documents = self.env[model].browse(ids)
            documents.fetch(["display_name"])
            documents.mapped("display_name")

    def _svc_notify_late_demand(self, by_user):
        """One activity per person to warn (salesperson, requester), on their first affected
        document, naming all of theirs (`by_user`: {user: documents in deadline order});
        refreshed when it exists, closed when they are no longer affected."""
        self.ensure_one()
        summary = self._svc_late_activity_summary()
        activities = self.env["mail.activity"].sudo()
        existing = activities.search([("summary", "=", summary)])
        existing.filtered(lambda activity: activity.user_id not in by_user)._svc_done_batch(
            feedback=_("No longer affected by the late receipt of %s.", self.name)
        )
        warning = self.env.ref("mail.mail_activity_data_warning")
        note_format = _(
            "Purchase order %(order)s now arrives too late for: %(documents)s. "
            "Warn the customer or requester, or ask purchasing to expedite."
        )
        to_create = []
        for user, user_documents in by_user.items():
            note = note_format % {"order": self.name, "documents": ", ".join(
                doc.display_name for doc in user_documents[:MAX_LISTED])}  # fmt: skip
            mine = existing.filtered(lambda activity, user=user: activity.user_id == user)
            if mine:
                mine.filtered(lambda activity, note=note: activity.note != note).write({"note": note})
                continue
            document = next((doc for doc in user_documents if hasattr(doc, "activity_schedule")), None)
            if document:
                to_create.append(
                    {"res_model_id": self.env["ir.model"]._get_id(document._name), "res_id": document.id,
                     "activity_type_id": warning.id, "summary": summary, "note": note, "user_id": user.id,
                     "date_deadline": fields.Date.context_today(self)}
                )  # fmt: skip
        # one batch, without an assignment e-mail per salesperson (it would cost more than the
        # whole check): the activity in their menu and on the document is the warning
        activities._svc_create_batch(to_create)

    def _svc_resolve_inbound_late(self):
        self.ensure_one()
        self.env["svc.exception"].resolve_for(
            self, LATE_KEY, _("Back in time: the receipts now cover the committed demand.")
        )
        self.env["mail.activity"].sudo().search(
            [("summary", "=", self._svc_late_activity_summary())]
        )._svc_done_batch(feedback=_("The receipt of %s is back in time.", self.name))
        self.sudo().write({"inbound_late": False, "inbound_late_count": 0})

    def _svc_late_activity_summary(self):
        return _("Late inbound: %s", self.name)
