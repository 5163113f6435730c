/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("svc_staffing_assign", {
    test: true,
    url: "/web#action=svc_resource_planning.action_svc_staffing_request",
    steps: () => [
        {
            content: "Open the request of the Tour Clinic project",
            trigger: '.o_data_row td:contains("Tour Clinic")',
        },
        {
            content: "Rank candidates against real capacity",
            trigger: '.o_statusbar_buttons button[name="action_find_candidates"]',
        },
        {
            content: "Look at the candidates",
            trigger: '.o_notebook a.nav-link:contains("Candidates")',
        },
        {
            content: "The best candidate comes with the reasons",
            trigger: 'div[name="candidate_ids"] .o_data_row:first-child td:contains("has Tour Modelling at Expert")',
            isCheck: true,
        },
        {
            content: "Assign the best candidate",
            trigger: 'div[name="candidate_ids"] .o_data_row:first-child button[name="action_assign"]',
        },
        {
            content: "The request is staffed",
            trigger: '.o_statusbar_status .o_arrow_button_current:contains("Staffed")',
            isCheck: true,
        },
    ],
});
