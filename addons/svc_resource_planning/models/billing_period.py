"""Billing periods as plain date arithmetic, kept free of the ORM so it can be unit tested."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

BILLING_PERIODS = [
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("manual", "By Hand Only"),
]
AUTOMATIC_PERIODS = ("weekly", "monthly", "quarterly")


def billing_period(day, period):
    """The inclusive (start, end) of the ``period`` that contains ``day``.

    Weekly is the ISO week (Monday to Sunday), monthly the calendar month, quarterly the
    calendar quarter (January, April, July, October). ``manual`` has no period: None.
    """
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "monthly":
        start = day.replace(day=1)
        return start, start + relativedelta(months=1, days=-1)
    if period == "quarterly":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return start, start + relativedelta(months=3, days=-1)
    if period == "manual":
        return None
    raise ValueError(f"unknown billing period {period!r}")
