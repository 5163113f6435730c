from psycopg2.extras import execute_values

from odoo import api, fields, models

CHECKS = [
    ("milestones", "Milestones reached"),
    ("timesheets", "Timesheets validated, team compliant"),
    ("expenses", "Expenses approved and posted"),
    ("signoff", "Client sign-off recorded"),
    ("exceptions", "No blocking exception"),
]
SEQUENCES = {code: index for index, (code, _label) in enumerate(CHECKS)}


class SvcBillingReadinessCheck(models.Model):
    """One check of a billing readiness: met or not, and why not."""

    _name = "svc.billing.readiness.check"
    _description = "Billing Readiness Check"
    _order = "readiness_id, sequence"

    readiness_id = fields.Many2one("svc.billing.readiness", required=True, ondelete="cascade", index=True)
    code = fields.Selection(CHECKS, required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    state = fields.Selection([("met", "Met"), ("unmet", "Not Met")], required=True, readonly=True)
    reason = fields.Char(readonly=True)

    _sql_constraints = [
        ("readiness_code_uniq", "unique(readiness_id, code)", "One row per check and readiness."),
    ]

    @api.model
    def _upsert(self, results):
        """Store [(readiness, code, state, reason)] in one statement whatever their number:
        each check keeps its row and only its state and reason change (the ORM would insert
        100 rows per statement, or update row by row since every reason differs)."""
        if not results:
            return
        now, uid = fields.Datetime.now(), self.env.uid
        self.flush_model()
        execute_values(
            self.env.cr._obj,
            """
            INSERT INTO svc_billing_readiness_check
                (readiness_id, code, sequence, state, reason, create_uid, create_date, write_uid, write_date)
            VALUES %s
            ON CONFLICT (readiness_id, code) DO UPDATE SET
                sequence = EXCLUDED.sequence, state = EXCLUDED.state, reason = EXCLUDED.reason,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """,
            [(readiness.id, code, SEQUENCES[code], state, reason, uid, now, uid, now)
             for readiness, code, state, reason in results],
            page_size=len(results),
        )  # fmt: skip
        self.invalidate_model()
        readinesses = self.env["svc.billing.readiness"].browse(
            {readiness.id for readiness, *_rest in results}
        )
        readinesses.invalidate_recordset(["check_ids", "unmet_count", "unmet_summary"])
