"""Pure date arithmetic of capacity planning, kept free of the ORM so it can be unit tested."""

from datetime import timedelta

WORKING_DAYS_PER_WEEK = 5  # Monday to Friday


def split_hours_by_iso_week(date_from, date_to, hours_per_week):
    """Spread ``hours_per_week`` over the ISO weeks of the inclusive span [date_from, date_to].

    Each working day (Monday to Friday) inside the span carries a fifth of the weekly
    hours, so partial weeks are prorated: Wednesday to the following Tuesday at 40 h/week
    gives 24 h to the first week and 16 h to the second. Weeks without a working day in
    the span are left out. Returns ``{(iso_year, iso_week): hours}``.
    """
    if date_to < date_from:
        raise ValueError(f"date_to ({date_to}) is before date_from ({date_from})")
    result = {}
    monday = date_from - timedelta(days=date_from.weekday())
    while monday <= date_to:
        first_day = max(monday, date_from)
        last_day = min(monday + timedelta(days=WORKING_DAYS_PER_WEEK - 1), date_to)
        working_days = (last_day - first_day).days + 1
        if working_days > 0:
            iso_year, iso_week, _weekday = monday.isocalendar()
            result[(iso_year, iso_week)] = hours_per_week * working_days / WORKING_DAYS_PER_WEEK
        monday += timedelta(weeks=1)
    return result
