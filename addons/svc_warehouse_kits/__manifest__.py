{
    "name": "Service Operations: Warehouse Kits",
    "summary": "Deployment kits: product bundles that expand into material request lines",
    "version": "17.0.1.0.0",
    "category": "Services/Service Operations",
    "author": "svc-ops",
    "website": "https://github.com/svc-ops/svc-ops",
    "license": "LGPL-3",
    "depends": ["stock", "project", "svc_approval_matrix"],
    "data": [
        "security/svc_warehouse_kits_security.xml",
        "security/ir.model.access.csv",
        "data/svc_warehouse_kits_data.xml",
        "views/svc_kit_views.xml",
        "views/svc_material_request_views.xml",
        "views/svc_asset_loan_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/res_users_demo.xml", "demo/svc_kit_demo.xml", "demo/svc_material_request_demo.xml"],
    "assets": {
        "web.assets_tests": ["svc_warehouse_kits/static/src/js/tours/*.js"],
    },
    "installable": True,
}
