/** @odoo-module **/
import { registry } from "@web/core/registry";

// A requester opens a material request and reads its approval route before submitting.
registry.category("web_tour.tours").add("svc_approval_route_preview", {
    test: true,
    steps: () => [
        {
            content: "Open the approval route",
            trigger: 'button:contains("Approval Route")',
        },
        {
            content: "The matching policy and why",
            trigger: '.o_field_widget[name="route_html"]:contains("Tour Route Policy")',
            run() {},
        },
        {
            content: "Its step with the approver resolved now",
            trigger: '.o_field_widget[name="route_html"] td:contains("Tour Route Approver")',
            run() {},
        },
        {
            content: "Close the dialog",
            trigger: '.modal-footer button:contains("Close")',
        },
        {
            content: "Back on the request, nothing submitted",
            trigger: 'button[name="action_submit"]',
            extra_trigger: "body:not(:has(.modal))",
            run() {},
        },
    ],
});
