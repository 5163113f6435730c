import logging

from werkzeug.exceptions import HTTPException

from odoo import SUPERUSER_ID, models
from odoo.http import request

_logger = logging.getLogger(__name__)

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
            error = getattr(exception, "description", None) or str(exception)
            if code < 500 and code != 404:
                cls._count_webhook_refusal(code, error)
            return request.make_json_response({"status": status, "event": None, "error": error}, status=code)
        return super()._handle_error(exception)

    @classmethod
    def _count_webhook_refusal(cls, code, error):
        """Report a refusal Odoo made before the route ran (wrong method, body over the route's
        limit) for the source named in the URL. Such a request was never authenticated, so it
        only reaches the rate-limited refusal log (see `_count_refusal`); its transaction is
        rolled back."""
        source_code = request.httprequest.path[len(WEBHOOK_PREFIX) :].split("/", 1)[0]
        try:
            env = request.env(user=SUPERUSER_ID)
            env.cr.rollback()
            config = env["svc.integration.source"]._webhook_configs().get(source_code)
            if config is not None:
                env["svc.integration.source"]._count_refusal(config.id, f"{code} {error}")
                env.cr.commit()
        except Exception:  # the sender still gets its JSON answer; the cause goes to the log
            _logger.warning("Could not count the refused webhook request on %s", source_code, exc_info=True)
