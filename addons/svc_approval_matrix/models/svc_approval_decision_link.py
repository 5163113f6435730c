"""Approve or reject from the e-mail: signed links bound to one approver and one step.

A link carries ``<request id>.<user id>.<expiry>.<signature>``; the signature is Odoo's
HMAC keyed with the database secret (``odoo.tools.misc.hmac``, as Odoo signs its portal
links), so it cannot be forged or moved to another step, person or date. It is single
use by construction: once its approver has decided the step (or the step was decided by
others, cancelled, or replaced by a new round), the step no longer waits for them. The
link opens a confirmation page; the decision itself goes through the engine
(`action_approve` / `action_reject` as the approver), with its segregation of duties,
audit line and errors.
"""

import time
from datetime import datetime, timezone

from markupsafe import Markup

from odoo import _, fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac

from .svc_approval_request import ACTIVE_STATES

LINK_SCOPE = "svc_approval_matrix.decision_link"
LINK_DAYS_PARAM = "svc_approval_matrix.decision_link_days"
DEFAULT_LINK_DAYS = 7


class DecisionLinkError(Exception):
    """Why a decision link cannot be used: the page shows `message` and changes nothing."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class SvcApprovalRequest(models.Model):
    _inherit = "svc.approval.request"

    def _svc_link_signature(self, user_id, expiry):
        return hmac(self.env(su=True), LINK_SCOPE, (self.id, user_id, expiry))

    def _svc_decision_token(self, user):
        """The token of `user`'s links to decide this step, valid for the configured days."""
        self.ensure_one()
        days = int(self.env["ir.config_parameter"].sudo().get_param(LINK_DAYS_PARAM, DEFAULT_LINK_DAYS))
        expiry = int(time.time()) + days * 86400
        return f"{self.id}.{user.id}.{expiry}.{self._svc_link_signature(user.id, expiry)}"

    def _svc_decision_urls(self, user):
        """{"approve": url, "reject": url}: the links of `user` for this step."""
        token = self._svc_decision_token(user)
        base = self.get_base_url()
        return {
            decision: f"{base}/svc/approval/decide?token={token}&decision={decision}"
            for decision in ("approve", "reject")
        }

    def _svc_decision_links(self, user, text):
        """`text` followed by `user`'s Approve and Reject links for this step (HTML)."""
        urls = self._svc_decision_urls(user)
        return Markup('%s <a href="%s">%s</a> | <a href="%s">%s</a>') % (
            text,
            urls["approve"],
            _("Approve"),
            urls["reject"],
            _("Reject"),
        )

    def _svc_from_decision_token(self, token, user):
        """The step a token lets `user` decide now; DecisionLinkError says why not."""
        parts = (token or "").split(".")
        if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]):
            raise DecisionLinkError(
                _("This link is not a valid approval link. Open the document in Odoo instead.")
            )
        request_id, user_id, expiry = (int(part) for part in parts[:3])
        request = self.sudo().browse(request_id)
        if not consteq(request._svc_link_signature(user_id, expiry), parts[3]):
            raise DecisionLinkError(
                _("This link is not a valid approval link. Open the document in Odoo instead.")
            )
        if user_id != user.id:
            addressee = self.env["res.users"].sudo().browse(user_id)
            raise DecisionLinkError(
                _("This link was sent to %(addressee)s; you are signed in as %(user)s. Only its addressee can use it.",
                  addressee=addressee.name, user=user.name)
            )  # fmt: skip
        if expiry < time.time():
            expired_on = fields.Datetime.to_string(
                datetime.fromtimestamp(expiry, timezone.utc).replace(tzinfo=None)
            )
            raise DecisionLinkError(
                _("This link expired on %s (UTC). Open the document in Odoo to decide.", expired_on)
            )
        if not request.exists() or request.state not in ACTIVE_STATES or user in request.approved_by_ids:
            raise DecisionLinkError(
                _("This step was already decided (%(state)s): the link has been used or is no longer needed.",
                  state=dict(request._fields["state"]._description_selection(self.env)).get(request.state, "-"))
            )  # fmt: skip
        return request
