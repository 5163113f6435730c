{
    "name": "Service Operations: Order Orchestration",
    "summary": "Sales orders under approval policies: credit exposure, overdue invoices, margin, discount and new-customer gate figures",
    "version": "17.0.1.0.0",
    "category": "Services/Service Operations",
    "author": "svc-ops",
    "website": "https://github.com/svc-ops/svc-ops",
    "license": "LGPL-3",
    "depends": ["sale_stock", "sale_margin", "svc_approval_matrix"],
    "data": [
        "security/ir.model.access.csv",
        "data/svc_event_type_data.xml",
        "views/sale_order_views.xml",
        "views/margin_floor_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/svc_approval_policy_demo.xml",
        "demo/sale_order_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["svc_order_orchestration/static/src/js/tours/*.js"],
    },
    "installable": True,
}
