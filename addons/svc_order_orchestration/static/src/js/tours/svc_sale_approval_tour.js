/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("svc_sale_approval_salesperson", {
    test: true,
    steps: () => [
        {
            content: "Confirm the quotation",
            trigger: '.o_form_statusbar button[name="action_confirm"]',
        },
        {
            content: "A policy governs it: it waits in To Approve instead of confirming",
            trigger: '.o_statusbar_status:contains("To Approve")',
            run() {},
        },
        {
            trigger: '.alert-info:contains("Waiting for approval by policy")',
            run() {},
        },
        {
            content: "The salesperson cannot approve their own order",
            trigger: '.o_form_view:not(:has(button[name="action_approve"]))',
            run() {},
        },
    ],
});

registry.category("web_tour.tours").add("svc_sale_approval_manager", {
    test: true,
    url: "/web#action=svc_order_orchestration.action_sale_order_to_approve",
    steps: () => [
        {
            content: "Open the order waiting for my approval",
            trigger: '.o_data_row td:contains("Tour Customer")',
        },
        {
            content: "Approve it",
            trigger: 'button[name="action_approve"]',
        },
        {
            content: "The approval buttons are gone once decided",
            trigger: '.o_form_view:not(:has(button[name="action_approve"]))',
            run() {},
        },
        {
            trigger: '.o_field_widget[name="approval_state"]:contains("Approved")',
            run() {},
        },
    ],
});
