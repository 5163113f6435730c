from . import svc_resource_allocation
