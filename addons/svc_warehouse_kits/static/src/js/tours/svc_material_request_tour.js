/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("svc_material_request_submit", {
    test: true,
    url: "/web#action=svc_warehouse_kits.action_svc_material_request_mine",
    steps: () => [
        {
            content: "Create a request",
            trigger: ".o_list_button_add, .o-kanban-button-new",
        },
        {
            content: "Choose the project",
            trigger: 'div[name="project_id"] input',
            run: "text Tour Project",
        },
        {
            trigger: '.ui-autocomplete a:contains("Tour Project")',
        },
        {
            content: "Add a line",
            trigger: '.o_field_one2many[name="line_ids"] .o_field_x2many_list_row_add a',
        },
        {
            trigger: '.o_field_one2many[name="line_ids"] .o_selected_row .o_field_widget[name="product_id"] input',
            run: "text Tour Dock",
        },
        {
            trigger: '.ui-autocomplete a:contains("Tour Dock")',
        },
        {
            trigger: '.o_field_one2many[name="line_ids"] .o_selected_row .o_field_widget[name="quantity"] input',
            run: "text 2",
        },
        {
            content: "Add a kit (saves the request first)",
            trigger: 'button[name="action_open_kit_wizard"]',
        },
        {
            // the tour runner looks inside the open dialog by itself: no ".modal" in the triggers
            content: "Choose the kit in the many2many tags",
            trigger: '.o_field_widget[name="kit_ids"] input',
            run: "text Tour Kit",
        },
        {
            trigger: '.ui-autocomplete a:contains("Tour Kit")',
        },
        {
            content: "The kit is chosen",
            trigger: '.o_field_widget[name="kit_ids"] .o_tag:contains("Tour Kit")',
            run() {},
        },
        {
            content: "Twice",
            trigger: '.o_field_widget[name="multiplier"] input',
            run: "text 2",
        },
        {
            trigger: 'button[name="action_confirm"]',
        },
        {
            content: "The kit's cables are added; its dock merges into the line",
            trigger: '.o_field_one2many[name="line_ids"] .o_data_row:contains("Tour Cable")',
            extra_trigger: "body:not(:has(.modal))",
            run() {},
        },
        {
            content: "Submit",
            trigger: 'button[name="action_submit"]',
        },
        {
            content: "Small and in stock: it proceeds and is reserved",
            trigger: '.o_field_widget[name="availability"]:contains("Available")',
            run() {},
        },
        {
            content: "Its transfer is one click away",
            trigger: 'button[name="action_view_transfers"]',
            run() {},
        },
    ],
});
