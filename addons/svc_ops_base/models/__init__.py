from . import svc_exception
