# Mixins first: the models below inherit them.
from . import svc_related_record_mixin

# isort: split
from . import (
    ir_http,
    mail_activity,
    mail_thread,
    signing,
    svc_event_type,
    svc_exception,
    svc_inbox_event,
    svc_inbox_route,
    svc_integration_secret_mixin,
    svc_integration_source,
    svc_outbox_event,
    svc_webhook_endpoint,
)
