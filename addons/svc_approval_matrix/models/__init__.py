# Mixins first: the models below inherit them.
from . import svc_requester_mixin

# isort: split
from . import (
    mail_activity,
    svc_approval_decision_link,
    svc_approval_delegation,
    svc_approval_line_mixin,
    svc_approval_log,
    svc_approval_mixin,
    svc_approval_policy,
    svc_approval_request,
    svc_approval_route_preview,
    svc_approval_step,
    svc_exception,
)
