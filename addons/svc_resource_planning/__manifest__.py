{
    "name": "Service Operations: Resource Planning",
    "summary": "Allocate employees to projects by week: tentative and confirmed hours per ISO week",
    "version": "17.0.1.0.0",
    "category": "Services/Service Operations",
    "author": "svc-ops",
    "website": "https://github.com/svc-ops/svc-ops",
    "license": "LGPL-3",
    "depends": ["sale_timesheet", "hr_holidays", "hr_skills", "svc_approval_matrix"],
    "data": [
        "security/svc_resource_planning_security.xml",
        "security/ir.model.access.csv",
        "views/svc_resource_allocation_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/res_users_demo.xml", "demo/svc_resource_allocation_demo.xml"],
    "installable": True,
}
