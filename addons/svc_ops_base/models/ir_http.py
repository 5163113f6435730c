from werkzeug.exceptions import HTTPException

from odoo import models
from odoo.http import request

WEBHOOK_PREFIX = "/svc/webhook/"


class IrHttp(models.AbstractModel):
    """The webhook answers JSON even when Odoo refuses a request before the route runs
    (wrong method, a body werkzeug cannot parse as a form, a body over the route's limit)."""

    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("svc_webhook"):
            # Keep the raw bytes before werkzeug parses a form body: the signature covers them.
            httprequest = request.httprequest
            if (
                httprequest.content_length is not None
                and httprequest.content_length <= httprequest.max_content_length
            ):
                httprequest.get_data(cache=True)
        return result

    @classmethod
    def _handle_error(cls, exception):
        if request and request.httprequest.path.startswith(WEBHOOK_PREFIX):
            code = exception.code if isinstance(exception, HTTPException) and exception.code else 500
            status = {405: "method_not_allowed", 413: "too_large"}.get(
                code, "malformed" if code < 500 else "error"
            )
            return request.make_json_response(
                {
                    "status": status,
                    "event": None,
                    "error": getattr(exception, "description", None) or str(exception),
                },
                status=code,
            )
        return super()._handle_error(exception)
