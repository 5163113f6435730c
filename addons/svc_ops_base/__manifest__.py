{
    "name": "Service Operations: Base",
    "summary": "Exception queue every svc-ops workflow lands in, plus the shared menus and groups",
    "version": "17.0.1.0.0",
    "category": "Services/Service Operations",
    "author": "svc-ops",
    "website": "https://github.com/svc-ops/svc-ops",
    "license": "LGPL-3",
    "depends": ["base", "mail"],
    "data": [
        "security/svc_ops_base_security.xml",
        "security/ir.model.access.csv",
        "views/svc_exception_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/svc_exception_demo.xml"],
    "assets": {
        "web.assets_tests": ["svc_ops_base/static/src/js/tours/*.js"],
    },
    "application": True,
    "installable": True,
}
