/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("svc_billing_readiness_release", {
    test: true,
    url: "/web#action=svc_resource_planning.action_svc_billing_readiness",
    steps: () => [
        {
            content: "The blocked card says why: a milestone not reached and no sign-off",
            trigger: '.o_kanban_group:contains("Blocked") .o_kanban_record:contains("Initech") .o_svc_unmet:contains("not reached: Go-live")',
            run() {},
        },
        {
            trigger: '.o_kanban_group:contains("Blocked") .o_kanban_record:contains("Initech") .o_svc_unmet:contains("Client sign-off recorded")',
            run() {},
        },
        {
            content: "Open the ready order",
            trigger: '.o_kanban_group:contains("Ready") .o_kanban_record:contains("Globex")',
        },
        {
            content: "Release it for invoicing",
            trigger: 'button[name="action_release"]',
        },
        {
            content: "Released: the draft invoice is one click away",
            trigger: '.o_form_view button[name="action_view_invoice"]:visible',
            run() {},
        },
    ],
});
