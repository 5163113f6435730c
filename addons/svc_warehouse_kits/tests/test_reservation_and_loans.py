from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import MaterialRequestCase


class TestReservationAndLoans(MaterialRequestCase):
    """Priority reservation, project slip, dispatch control and loaners."""

    def test_priority_sweep_gives_scarce_stock_to_the_most_urgent_need(self):
        first = self._request([(self.dock, 1)], days=10)
        later = self._request([(self.dock, 1)], days=12)
        (first | later).action_submit()
        self.assertEqual(
            (first.availability, later.availability), ("full", "full"), "two docks, two requests"
        )
        critical = self._request([(self.dock, 1)], days=3, priority="3")
        critical.action_submit()
        self.assertEqual(critical.availability, "none")

        moved = self.env["svc.material.request"]._cron_reserve_by_priority()
        self.assertEqual(moved, 1)
        self.assertEqual(critical.availability, "full")
        self.assertEqual(later.availability, "none", "taken from the request needed last")
        self.assertEqual(first.availability, "full")
        for request in (critical, later):
            self.assertTrue(request.message_ids.filtered(lambda m, c=critical: "handed to" in (m.body or "")))
        self.assertEqual(self.env["svc.material.request"]._cron_reserve_by_priority(), 0, "stable on a rerun")

    def test_never_taken_from_a_transfer_being_picked(self):
        later = self._request([(self.dock, 2)], days=12)
        later.action_submit()
        later.sudo().picking_ids.move_ids.picked = True
        critical = self._request([(self.dock, 1)], days=3, priority="3")
        critical.action_submit()
        self.assertEqual(self.env["svc.material.request"]._cron_reserve_by_priority(), 0)
        self.assertEqual(critical.availability, "none")

    def test_slip_beyond_the_horizon_releases_and_tells_the_requester(self):
        request = self._request([(self.dock, 1)], days=5)
        request.action_submit()
        self.assertEqual(request.availability, "full")
        request.needed_date = fields.Date.today() + timedelta(days=60)
        self.assertEqual(request.availability, "none")
        self.assertEqual(request.activity_ids.user_id, self.requester)

        other = self._request([(self.dock, 1)], days=5)
        other.action_submit()
        today = fields.Date.today()  # Odoo 17 keeps a project's two dates together
        self.project.write({"date_start": today + timedelta(days=90), "date": today + timedelta(days=120)})
        self.assertEqual(other.availability, "none", "the project slipped")

    def test_a_closed_project_cancels_its_requests(self):
        request = self._request([(self.dock, 1)])
        request.action_submit()
        self.project.active = False
        self.assertEqual(request.state, "cancelled")

    def test_a_project_moved_to_the_canceled_stage_cancels_its_requests(self):
        manager = new_test_user(
            self.env,
            "mr_project_admin",
            groups="base.group_user,project.group_project_manager,project.group_project_stages",
        )
        request = self._request([(self.dock, 1)])
        request.action_submit()
        draft = self._request([(self.cable, 1)])
        self.project.with_user(manager).stage_id = self.env.ref("project.project_project_stage_3")
        self.assertEqual((request.state, draft.state), ("cancelled", "cancelled"))
        self.assertEqual(request.picking_ids.state, "cancel", "the reserved docks went back")

    def test_only_a_warehouse_manager_releases_a_reservation(self):
        request = self._request([(self.dock, 1)])
        request.action_submit()
        with self.assertRaisesRegex(UserError, "Only a warehouse manager"):
            request.with_user(self.requester).action_release_reservation()
        self.assertEqual(request.availability, "full")
        request.with_user(self.wh_manager).action_release_reservation()
        self.assertEqual(request.availability, "none")

    def test_a_slip_by_the_project_manager_releases_without_rights_on_the_request(self):
        self.project_manager.groups_id += self.env.ref("project.group_project_manager")
        request = self._request([(self.dock, 1)], days=5)
        request.action_submit()
        today = fields.Date.today()
        self.project.with_user(self.project_manager).write(
            {"date_start": today + timedelta(days=60), "date": today + timedelta(days=90)}
        )
        self.assertEqual(request.availability, "none")
        self.assertTrue(request.message_ids.filtered(lambda m: "Reservation released" in (m.body or "")))

    def test_dispatch_is_blocked_while_approval_is_missing(self):
        request = self._request([(self.laptop, 1)])  # 1,500: the project manager approves
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        picking = request.picking_ids
        request._svc_approval_reset("Lines changed after approval")
        request.action_request_approval()
        with self.assertRaisesRegex(UserError, "Approval is missing"):
            picking.with_user(self.wh_manager).button_validate()
        self.assertEqual(picking.state, "assigned")
        request.with_user(self.project_manager).action_approve()
        picking.with_user(self.wh_manager).button_validate()
        self.assertEqual(picking.state, "done")

    def test_loaner_opens_on_dispatch_goes_overdue_and_closes_on_return(self):
        request = self._request([(self.laptop, 1)])
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        picking = request.picking_ids
        picking.with_user(self.wh_manager).button_validate()
        self.assertEqual(request.state, "done")
        loan = self.env["svc.asset.loan"].search([("material_request_id", "=", request.id)])
        self.assertEqual((loan.state, loan.holder_user_id), ("out", self.requester))
        self.assertIn(loan.lot_id, self.lots)

        loan.date_due = fields.Date.today() - timedelta(days=1)
        self.assertEqual(self.env["svc.asset.loan"]._cron_flag_overdue(), 1)
        self.assertEqual(loan.state, "overdue")
        self.assertEqual(self.env["svc.asset.loan"]._cron_flag_overdue(), 0, "flagged once")
        self.assertEqual(
            loan.activity_ids.user_id, self.project_manager, "no HR manager: the project's manager"
        )
        exception = self.env["svc.exception"].search(
            [("res_model", "=", loan._name), ("res_id", "=", loan.id)]
        )
        self.assertEqual(exception.state, "open")

        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        return_picking = self.env["stock.picking"].browse(wizard.create_returns()["res_id"])
        return_picking.button_validate()
        self.assertEqual(loan.state, "returned")
        self.assertEqual(exception.state, "resolved")

    def test_lost_loaner_is_written_off_by_scrap(self):
        request = self._request([(self.laptop, 1)])
        request.action_submit()
        request.with_user(self.project_manager).action_approve()
        request.picking_ids.with_user(self.wh_manager).button_validate()
        loan = self.env["svc.asset.loan"].search([("material_request_id", "=", request.id)])
        loan.with_user(self.wh_manager).action_mark_lost()
        self.assertEqual(loan.state, "lost")
        scrap = self.env["stock.scrap"].search([("lot_id", "=", loan.lot_id.id)])
        self.assertEqual(scrap.state, "done")
