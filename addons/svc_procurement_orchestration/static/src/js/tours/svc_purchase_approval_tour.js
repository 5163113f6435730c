/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("svc_purchase_approval_buyer", {
    test: true,
    url: "/web#action=purchase.purchase_rfq",
    steps: () => [
        {
            content: "Create a request for quotation",
            trigger: ".o_list_button_add, .o-kanban-button-new",
        },
        {
            content: "Choose the vendor",
            trigger: '.o_field_widget[name="partner_id"] input',
            run: "text Tour Vendor",
        },
        {
            trigger: '.ui-autocomplete a:contains("Tour Vendor")',
        },
        {
            content: "Add a product",
            trigger: '.o_field_x2many_list_row_add a',
        },
        {
            trigger: '.o_selected_row .o_field_widget[name="product_id"] input',
            run: "text Tour Server",
        },
        {
            trigger: '.ui-autocomplete a:contains("Tour Server")',
        },
        {
            trigger: '.o_selected_row .o_field_widget[name="product_qty"] input',
            run: "text 3",
        },
        {
            trigger: '.o_selected_row .o_field_widget[name="price_unit"] input',
            run: "text 2500",
        },
        {
            content: "Confirm the order",
            trigger: 'button[name="button_confirm"]:not(.d-none)',
        },
        {
            content: "Above the threshold: it waits for approval instead of confirming",
            trigger: '.alert-info:contains("Waiting for approval by policy")',
            run() {},
        },
        {
            trigger: '.o_field_widget[name="approval_state"]:contains("Pending Approval")',
            run() {},
        },
    ],
});

registry.category("web_tour.tours").add("svc_purchase_approval_approver", {
    test: true,
    url: "/web#action=svc_procurement_orchestration.action_purchase_order_to_approve",
    steps: () => [
        {
            content: "Open the order waiting for my approval",
            trigger: '.o_data_row td:contains("Tour Vendor")',
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
            content: "It is now a confirmed purchase order, waiting for the vendor's acknowledgment",
            trigger: 'button[name="action_acknowledge"]',
            run() {},
        },
        {
            trigger: '.o_field_widget[name="approval_state"]:contains("Approved")',
            run() {},
        },
    ],
});
