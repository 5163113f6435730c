{
    "name": "Service Operations: Procurement Orchestration",
    "summary": "Vendor acknowledgment of confirmed purchase orders: deadlines, promised dates, supplier risk",
    "version": "17.0.1.0.0",
    "category": "Services/Service Operations",
    "author": "svc-ops",
    "website": "https://github.com/svc-ops/svc-ops",
    "license": "LGPL-3",
    "depends": ["purchase_stock", "svc_approval_matrix"],
    "data": [
        "security/svc_procurement_orchestration_security.xml",
        "views/res_partner_views.xml",
        "views/purchase_order_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/res_users_demo.xml", "demo/res_partner_demo.xml"],
    "installable": True,
}
