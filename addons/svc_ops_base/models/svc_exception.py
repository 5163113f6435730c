from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .rpc_args import records_argument

OPEN_STATES = ("open", "in_progress")


class SvcException(models.Model):
    """One thing that needs a human: the single queue every svc-ops workflow feeds.

    Raising is idempotent per (record, key): a process that detects the same problem
    again updates the open exception instead of piling up duplicates, which a partial
    unique index guarantees even when two transactions raise at the same moment.
    """

    _name = "svc.exception"
    _description = "Service Operations Exception"
    _inherit = ["mail.thread", "mail.activity.mixin", "svc.related.record.mixin"]
    _order = "state_sequence, severity_sequence desc, deadline, id desc"

    name = fields.Char(required=True, tracking=True)
    message = fields.Text()
    category = fields.Selection(
        [("general", "General"), ("integration", "Integration")], required=True, default="general", index=True
    )
    severity = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")],
        required=True,
        default="medium",
        tracking=True,
    )
    severity_sequence = fields.Integer(compute="_compute_sequences", store=True)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("in_progress", "In Progress"),
            ("resolved", "Resolved"),
            ("ignored", "Ignored"),
        ],
        required=True,
        default="open",
        index=True,
        tracking=True,
        group_expand="_group_expand_states",
    )
    state_sequence = fields.Integer(compute="_compute_sequences", store=True)
    res_model = fields.Char("Related Model", index=True, readonly=True)
    res_id = fields.Many2oneReference("Related Record ID", model_field="res_model", readonly=True)
    res_name = fields.Char("Related Record", compute="_compute_res_name")
    owner_id = fields.Many2one("res.users", "Owner", index=True, tracking=True)
    deadline = fields.Datetime(index=True, tracking=True)
    key = fields.Char(index=True, readonly=True, help="What the raising process calls this problem.")
    occurrences = fields.Integer(default=1, readonly=True)
    last_seen = fields.Datetime(default=fields.Datetime.now, readonly=True)
    resolution_note = fields.Text()
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    resolved_at = fields.Datetime(readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    @api.depends("state", "severity")
    def _compute_sequences(self):
        states = [key for key, _label in self._fields["state"].selection]
        severities = [key for key, _label in self._fields["severity"].selection]
        for exception in self:
            exception.state_sequence = states.index(exception.state)
            exception.severity_sequence = severities.index(exception.severity)

    def _group_expand_states(self, states, domain, order):
        return [key for key, _label in self._fields["state"].selection]

    @api.constrains("owner_id", "company_id")
    def _check_owner_company(self):
        """The owner works the exception, so they must be able to open it: a user of its company."""
        for exception in self:
            if exception.owner_id and exception.company_id not in exception.owner_id.company_ids:
                raise ValidationError(
                    _(
                        "%(user)s cannot own exception '%(name)s': they are not a user of %(company)s. "
                        "Choose an owner of that company.",
                        user=exception.owner_id.name,
                        name=exception.name,
                        company=exception.company_id.name,
                    )
                )

    def init(self):
        """At most one open exception per record and key, even under concurrent raises."""
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS svc_exception_open_key_uniq
                ON svc_exception (res_model, res_id, key)
             WHERE state IN ('open', 'in_progress') AND key IS NOT NULL
            """
        )

    @api.model
    def raise_for(self, record, key, category, message, severity="medium", owner=None, deadline=None):
        """Open (or refresh) the exception `key` about `record`; return it.

        Called by business code on behalf of whoever triggered the detection, so it
        writes as superuser: the person who hits a shortage may not see the queue.
        """
        records_argument(record, "svc.exception.raise_for").ensure_one()
        item = {
            "record": record,
            "message": message,
            "severity": severity,
            "owner": owner,
            "deadline": deadline,
        }
        return self._raise_many(key, category, [item])

    @api.model
    def _raise_many(self, key, category, items, severity="medium"):
        """Open (or refresh) the exception `key` for each item; return them in item order.

        The batched form of raise_for, for crons and checks that detect the same problem
        on hundreds of records: one search for the open ones and one create for the new
        ones, instead of a search and a create per record. Each item is a dict with
        `record` and `message`, and optionally `owner`, `deadline` and `severity` (which
        overrides the call's). A record listed twice keeps its last item.
        """
        queue = self.sudo()
        items_by_ref = {(item["record"]._name, item["record"].id): item for item in items}
        open_by_ref = {}
        for model in {model for model, _res_id in items_by_ref}:
            res_ids = [res_id for ref_model, res_id in items_by_ref if ref_model == model]
            for exception in queue.search(
                [
                    ("res_model", "=", model),
                    ("res_id", "in", res_ids),
                    ("key", "=", key),
                    ("state", "in", OPEN_STATES),
                ]
            ):
                open_by_ref[(model, exception.res_id)] = exception
        now = fields.Datetime.now()
        # the owners' companies in one query (an owner must be a user of the exception's company)
        self.env["res.users"].sudo().concat(*(item["owner"] for item in items if item.get("owner"))).fetch(
            ["company_ids"]
        )
        to_create, refs_to_create = [], []
        for ref, item in items_by_ref.items():
            name, _sep, _details = item["message"].partition("\n")
            values = {
                "name": name,
                "message": item["message"],
                "category": category,
                "severity": item.get("severity") or severity,
            }
            if item.get("deadline"):
                values["deadline"] = item["deadline"]
            exception = open_by_ref.get(ref)
            record = item["record"]
            company = exception.company_id if exception else None
            if not company:
                company = (record.company_id if "company_id" in record._fields else False) or self.env.company
            # an owner who cannot open the company's exceptions is left out: a manager assigns one
            if item.get("owner") and company in item["owner"].company_ids:
                values["owner_id"] = item["owner"].id
            if exception:
                exception.write(dict(values, occurrences=exception.occurrences + 1, last_seen=now))
                continue
            values.update(res_model=ref[0], res_id=ref[1], key=key, company_id=company.id)
            to_create.append(values)
            refs_to_create.append(ref)
        open_by_ref.update(zip(refs_to_create, queue.create(to_create), strict=True))
        exceptions = queue.browse([open_by_ref[ref].id for ref in items_by_ref])
        return exceptions.sudo(False)

    @api.model
    def resolve_for(self, record, key, note=None):
        """Close the open exception `key` about `record`, if any; return what was closed."""
        records_argument(record, "svc.exception.resolve_for")
        exceptions = self.sudo().search(
            [
                ("res_model", "=", record._name),
                ("res_id", "in", record.ids),
                ("key", "=", key),
                ("state", "in", OPEN_STATES),
            ]
        )
        exceptions._close("resolved", note)
        return exceptions.sudo(False)

    def action_take(self):
        """The current user takes ownership and starts working on it."""
        self._check_open()
        self.write({"state": "in_progress", "owner_id": self.env.uid})
        return True

    def action_resolve(self, note=None):
        """Mark resolved; the resolution note is kept for the audit trail."""
        self._check_open()
        self._close("resolved", note)
        return True

    def action_ignore(self, note=None):
        """Close without action (false positive, accepted risk); say why in the note."""
        self._check_open()
        self._close("ignored", note)
        return True

    def action_reopen(self):
        """Bring a closed exception back to the queue."""
        self.write({"state": "open", "resolved_by_id": False, "resolved_at": False})
        return True

    def _check_open(self):
        closed = self.filtered(lambda exception: exception.state not in OPEN_STATES)
        if closed:
            raise UserError(_("%s is already closed: reopen it first.", ", ".join(closed.mapped("name"))))

    def _close(self, state, note):
        values = {"state": state, "resolved_by_id": self.env.uid, "resolved_at": fields.Datetime.now()}
        if note:
            values["resolution_note"] = note
        self.write(values)
