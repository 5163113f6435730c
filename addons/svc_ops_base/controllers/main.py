import logging

from psycopg2 import OperationalError

from odoo import http
from odoo.http import request

from odoo.addons.svc_ops_base.models.svc_integration_source import MAX_WEBHOOK_BODY

_logger = logging.getLogger(__name__)


class SvcWebhookController(http.Controller):
    """``POST /svc/webhook/<source code>``: signed events in, JSON answers out, never HTML.

    No session: the database is the one odoo.conf pins (db_name). The controller only reads the
    request and hands it to ``svc.inbox.event._receive_webhook``, which authenticates,
    validates and stores as superuser.
    """

    @http.route(
        "/svc/webhook/<string:source_code>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=MAX_WEBHOOK_BODY,
        svc_webhook=True,
    )
    def receive(self, source_code, **_params):
        """Store the event and answer {"status", "event", "error"} with the issue's HTTP codes."""
        httprequest = request.httprequest

        def read_body(limit):
            length = httprequest.content_length
            if length is not None and length > limit:
                return None
            body = httprequest.get_data(cache=True)
            return None if len(body) > limit else body

        try:
            status, answer = request.env["svc.inbox.event"]._receive_webhook(
                source_code, httprequest.headers, read_body
            )
        except OperationalError:
            # A concurrent delivery of the same event (serialization failure): Odoo replays
            # the whole request, which then answers "duplicate"; ir.http answers JSON if it gives up.
            raise
        except Exception:  # an answer is always JSON; the cause goes to the log, not to the sender
            _logger.exception("Webhook %s failed", source_code)
            request.env.cr.rollback()
            status, answer = 500, {"status": "error", "event": None, "error": "Internal error; retry later."}
        return request.make_json_response(answer, status=status)
