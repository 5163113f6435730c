from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.svc_approval_decision_link import DecisionLinkError

DECISIONS = ("approve", "reject")


class DecisionLinkController(http.Controller):
    """The page behind the Approve / Reject links of the approver's e-mail.

    `auth="user"`: the approver signs in (Odoo sends them to the login page and back), and
    the token must name that same user, so a forwarded e-mail decides nothing. GET only
    shows the confirmation page; the decision is a POST (CSRF-checked) through the engine.
    """

    @http.route("/svc/approval/decide", type="http", auth="user", methods=["GET"], website=False)
    def decision_page(self, token=None, decision="approve", **kwargs):
        return self._render(token, decision)

    @http.route("/svc/approval/decide", type="http", auth="user", methods=["POST"], website=False)
    def decide(self, token=None, decision="approve", comment="", **kwargs):
        step, refusal = self._step(token, decision)
        if refusal:
            return refusal
        document = step._related_record().with_user(request.env.user)
        try:
            if decision == "approve":
                document.action_approve(comment=(comment or "").strip() or None)
            else:
                document.action_reject(comment)
        except UserError as error:
            request.env.cr.rollback()  # the refusal's own `denied` line is committed apart
            return self._render(token, decision, error=error.args[0], comment=comment)
        return self._page(
            done=_("%(document)s: %(decision)s. Thank you.", document=document.sudo().display_name,
                   decision=_("approved") if decision == "approve" else _("rejected")),
            record_url=f"/web#model={document._name}&id={document.id}",
        )  # fmt: skip

    def _step(self, token, decision):
        """(the step the link lets the signed-in user decide, None), or (None, the page that
        says why it cannot be used)."""
        if decision not in DECISIONS:
            return None, self._page(error=_("Unknown decision %r: use the Approve or Reject link.", decision))
        try:
            return request.env["svc.approval.request"]._svc_from_decision_token(token, request.env.user), None
        except DecisionLinkError as error:
            return None, self._page(error=error.message)

    def _render(self, token, decision, error=None, comment=""):
        step, refusal = self._step(token, decision)
        if refusal:
            return refusal
        document = step._related_record().sudo()
        return self._page(
            step=step.sudo(), document=document, decision=decision, token=token, error=error, comment=comment,
            record_url=f"/web#model={document._name}&id={document.id}",
        )  # fmt: skip

    def _page(self, **values):
        values.setdefault("step", None)
        values.setdefault("error", None)
        values.setdefault("done", None)
        values.setdefault("comment", "")
        values.setdefault("record_url", "/web")
        return request.render("svc_approval_matrix.decision_link_page", values)
