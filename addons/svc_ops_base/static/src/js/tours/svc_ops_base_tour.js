/** @odoo-module **/
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("svc_ops_base_exception_queue", {
    test: true,
    url: "/web#action=svc_ops_base.action_svc_exception",
    steps: () => [
        {
            content: "The raised exception waits in the Open column of the queue",
            trigger: '.o_kanban_group:contains("Open") .o_kanban_record:contains("Tour exception")',
        },
        {
            content: "Its form offers to take it",
            trigger: 'button[name="action_take"]',
        },
        {
            content: "Taken: it can now be resolved",
            trigger: '.o_form_view:not(:has(button[name="action_take"])) button[name="action_resolve"]',
            run() {},
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "The Service Operations app is in the apps menu",
            trigger: '.o_app[data-menu-xmlid="svc_ops_base.menu_service_operations_root"]',
        },
        {
            content: "The app opens",
            trigger: '.o_menu_brand:contains("Service Operations")',
            run() {},
        },
    ],
});
