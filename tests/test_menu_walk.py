"""Every menu of the suite opens for every demo user who sees it, in a real browser.

Modelled on Odoo's click-everywhere test (web/tests/test_click_everywhere.py and
web/static/src/webclient/clickbot/clickbot.js), restricted to the suite's menus: the
clickbot walks whole apps and clicks every filter, which would walk all of Purchase,
Inventory, Sales and Timesheets for eleven users. Here the server lists the menus each
user sees (``ir.ui.menu.load_menus``, the very list the web client draws), and the browser
opens each one as a click does (the menu service), switches to every view type the
action offers, opens the first record in its form, and fails on any error dialog, failed
RPC or uncaught JavaScript error.
"""

import json
import logging
import time

from odoo.tests import HttpCase, tagged

_logger = logging.getLogger(__name__)

SUITE = (
    "svc_ops_base",
    "svc_approval_matrix",
    "svc_warehouse_kits",
    "svc_procurement_orchestration",
    "svc_resource_planning",
    "svc_order_orchestration",
)
ROOT = "svc_ops_base.menu_service_operations_root"
DEMO_LOGINS = ("admin", "resource", "delivery")
_X = (
    "admin", "requester", "approver", "warehouse", "procurement", "buyer",
    "finance", "resource", "delivery", "account", "billing",
)  # fmt: skip

# Runs in the page once the web client is ready. MENUS is [[menu id, label], ...].
WALK_JS = """
(async () => {
    const MENUS = %(menus)s;
    const env = odoo.__WOWL_DEBUG__.root.env;
    const pending = new Set();
    const failures = [];
    let current = "";
    env.bus.addEventListener("RPC:REQUEST", ({ detail }) => pending.add(detail.data.id));
    env.bus.addEventListener("RPC:RESPONSE", ({ detail }) => {
        pending.delete(detail.data.id);
        if (detail.error) {
            const error = detail.error.data || detail.error;
            failures.push(`${current}: ${detail.url || "RPC"} failed: ${error.name}: ${error.message}`);
        }
    });
    window.addEventListener("error", (ev) => failures.push(`${current}: ${ev.message}`));
    window.addEventListener("unhandledrejection", (ev) => failures.push(`${current}: ${ev.reason}`));
    let updates = 0;
    env.bus.addEventListener("ACTION_MANAGER:UI-UPDATED", () => updates++);
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const closeDialogs = () => document.querySelectorAll(".o_dialog .btn-close").forEach((b) => b.click());
    // Wait until the click is answered (the action manager updated or a dialog opened) and
    // no RPC is pending; "dialog" when a wizard opened, false on an error.
    async function settle(before, answered = () => false) {
        for (let waited = 0; waited < 30000; waited += 25) {
            await sleep(25);
            const error = document.querySelector(".o_error_dialog");
            if (error) {
                failures.push(`${current}: error dialog: ${error.innerText.slice(0, 800)}`);
                closeDialogs();
                return false;
            }
            const dialog = document.querySelector(".o_dialog");
            if ((updates !== before || dialog || answered()) && !pending.size) {
                await sleep(25);
                if (!pending.size && !document.querySelector(".o_error_dialog")) {
                    return dialog ? "dialog" : true;
                }
            }
        }
        failures.push(`${current}: did not load within 30 s`);
        return false;
    }
    const action = env.services.action;
    let views = 0;
    for (const [menuId, label] of MENUS) {
        current = label;
        closeDialogs();
        await sleep(0);
        let before = updates;
        env.services.menu.selectMenu(menuId);
        const opened = await settle(before);
        if (opened !== true) {
            views += opened === "dialog" ? 1 : 0;
            closeDialogs();
            continue;
        }
        const controller = action.currentController;
        if (!controller || controller.action.type !== "ir.actions.act_window") {
            views++;  // a client action: it opened, that is the test
            continue;
        }
        const viewTypes = controller.action.views.map(([, type]) => type);
        for (const type of viewTypes.filter((type) => !["form", "search"].includes(type))) {
            if (action.currentController.view.type !== type) {
                current = `${label} (${type})`;
                before = updates;
                action.switchView(type);
                if (!(await settle(before))) {
                    break;
                }
            }
            views++;
        }
        const row = document.querySelector(
            ".o_list_view .o_data_row .o_data_cell:not(.o_list_record_selector), .o_kanban_record:not(.o_kanban_ghost)"
        );
        if (row && viewTypes.includes("form")) {
            current = `${label} (form)`;
            before = updates;
            row.click();  // opens the form, or edits the row of an editable list
            if ((await settle(before, () => document.querySelector(".o_selected_row"))) === true) {
                views++;
            }
        }
    }
    if (failures.length) {
        console.error("Menu walk failed:\\n" + failures.join("\\n"));
    } else {
        console.log(`walked ${MENUS.length} menus, ${views} views`);
        console.log("test successful");
    }
})();
"""


@tagged("post_install", "-at_install")
class TestMenuWalk(HttpCase):
    """Each demo user opens every suite menu they see, in every view type, without error."""

    @classmethod
    def _suite_menus(cls, user):
        """[(menu id, label)] of the leaf menus with an action that ``user`` sees: the whole
        Service Operations app, and the suite's own menus in other apps."""
        menus = cls.env["ir.ui.menu"].with_user(user).load_menus(False)
        result = []

        def walk(menu_id, path, in_app):
            menu = menus[menu_id]
            in_app = in_app or menu["xmlid"] == ROOT
            label = f"{path} > {menu['name']}" if path else menu["name"]
            ours = in_app or menu["xmlid"].split(".")[0] in SUITE
            if menu["action"] and ours:
                result.append((menu["id"], f"{label} [{menu['xmlid']}]"))
            for child in menu["children"]:
                walk(child, label, in_app)

        for app in menus["root"]["children"]:
            walk(app, "", False)
        return result

    def test_every_demo_user_opens_every_menu(self):
        users = self.env["res.users"].search([("login", "in", DEMO_LOGINS)])
        self.assertCountEqual(users.mapped("login"), DEMO_LOGINS, "the demo users are installed")
        started = time.monotonic()
        walked = 0
        for user in users.sorted("login"):
            menus = self._suite_menus(user)
            walked += len(menus)
            with self.subTest(login=user.login):
                self.browser_js(
                    "/web",
                    WALK_JS % {"menus": json.dumps(menus)},
                    "odoo.isReady === true",
                    login=user.login,
                    timeout=300,
                )
        _logger.info(
            "menu walk: %s menus for %s users in %.1f s", walked, len(users), time.monotonic() - started
        )

    def test_menu_lists_cover_the_app_and_the_suite_menus_elsewhere(self):
        admin = self.env.ref("base.user_admin")
        xmlids = {
            self.env["ir.ui.menu"].browse(menu_id).get_external_id()[menu_id]
            for menu_id, _label in self._suite_menus(admin)
        }
        self.assertIn("svc_resource_planning.menu_resource_capacity", xmlids)
        self.assertIn("svc_resource_planning.menu_resource_bench", xmlids)
        requester = self.env["res.users"].search([("login", "=", "requester")])
        self.assertNotIn(
            "svc_resource_planning.menu_resource_capacity",
            {label.rsplit("[", 1)[1][:-1] for _id, label in self._suite_menus(requester)},
        )
