import unittest
from datetime import date

from odoo.addons.svc_resource_planning.models.capacity_math import split_hours_by_iso_week


class TestSplitHoursByIsoWeek(unittest.TestCase):
    """Weekly hours are spread over ISO weeks by the working days the span covers."""

    def test_partial_weeks_are_prorated_by_working_days(self):
        # Wednesday 2026-03-04 to Tuesday 2026-03-10.
        self.assertEqual(
            split_hours_by_iso_week(date(2026, 3, 4), date(2026, 3, 10), 40),
            {(2026, 10): 24.0, (2026, 11): 16.0},
        )

    def test_full_weeks_get_the_weekly_hours(self):
        # Monday 2026-03-02 to Sunday 2026-03-15: two whole weeks.
        self.assertEqual(
            split_hours_by_iso_week(date(2026, 3, 2), date(2026, 3, 15), 37.5),
            {(2026, 10): 37.5, (2026, 11): 37.5},
        )

    def test_span_within_one_week(self):
        # Tuesday to Thursday: three working days of one week.
        self.assertEqual(split_hours_by_iso_week(date(2026, 3, 3), date(2026, 3, 5), 40), {(2026, 10): 24.0})
        self.assertEqual(split_hours_by_iso_week(date(2026, 3, 3), date(2026, 3, 3), 33), {(2026, 10): 6.6})

    def test_weekends_carry_no_hours(self):
        # Friday to Monday: one day in each week; a weekend alone has no working day.
        self.assertEqual(
            split_hours_by_iso_week(date(2026, 3, 6), date(2026, 3, 9), 40),
            {(2026, 10): 8.0, (2026, 11): 8.0},
        )
        self.assertEqual(split_hours_by_iso_week(date(2026, 3, 7), date(2026, 3, 8), 40), {})

    def test_iso_year_boundary(self):
        # 2026-12-30 (Wednesday) to 2027-01-05 (Tuesday): 1 January 2027 belongs to 2026-W53.
        self.assertEqual(
            split_hours_by_iso_week(date(2026, 12, 30), date(2027, 1, 5), 40),
            {(2026, 53): 24.0, (2027, 1): 16.0},
        )

    def test_inverted_span_is_an_error(self):
        with self.assertRaises(ValueError):
            split_hours_by_iso_week(date(2026, 3, 10), date(2026, 3, 4), 40)
