"""Pure date arithmetic of capacity planning, kept free of the ORM so it can be unit tested."""

from datetime import timedelta

WORKING_DAYS_PER_WEEK = 5  # Monday to Friday
# Utilization shown when hours are booked in a week without any available hour.
UTILIZATION_CAP = 9.99


def week_monday(day):
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_label(monday):
    """``2026-W48`` for the ISO week starting on ``monday``."""
    iso_year, iso_week, _weekday = monday.isocalendar()
    return f"{iso_year}-W{iso_week:02d}"


def split_hours_by_iso_week(date_from, date_to, hours_per_week):
    """Spread ``hours_per_week`` over the ISO weeks of the inclusive span [date_from, date_to].

    Each working day (Monday to Friday) inside the span carries a fifth of the weekly
    hours, so partial weeks are prorated: Wednesday to the following Tuesday at 40 h/week
    gives 24 h to the first week and 16 h to the second. Weeks without a working day in
    the span are left out. Returns ``{(iso_year, iso_week): hours}``.
    """
    return {
        monday.isocalendar()[:2]: hours
        for monday, hours in split_hours_by_week_monday(date_from, date_to, hours_per_week).items()
    }


def split_hours_by_week_monday(date_from, date_to, hours_per_week):
    """Like :func:`split_hours_by_iso_week`, keyed by the Monday of each week (a ``date``)."""
    if date_to < date_from:
        raise ValueError(f"date_to ({date_to}) is before date_from ({date_from})")
    result = {}
    monday = week_monday(date_from)
    while monday <= date_to:
        first_day = max(monday, date_from)
        last_day = min(monday + timedelta(days=WORKING_DAYS_PER_WEEK - 1), date_to)
        working_days = (last_day - first_day).days + 1
        if working_days > 0:
            result[monday] = hours_per_week * working_days / WORKING_DAYS_PER_WEEK
        monday += timedelta(weeks=1)
    return result


def week_figures(available, holiday, leave, tentative_leave, confirmed, tentative):
    """The derived figures of one employee-week: free hours (never below zero) and utilization
    (confirmed / available; capped at ``UTILIZATION_CAP`` when nothing is available)."""
    free = max(0.0, available - confirmed - tentative)
    nothing_available = UTILIZATION_CAP if confirmed > 0 else 0.0
    utilization = confirmed / available if available > 0 else nothing_available
    return {
        "available_hours": round(available, 2),
        "holiday_hours": round(holiday, 2),
        "leave_hours": round(leave, 2),
        "tentative_leave_hours": round(tentative_leave, 2),
        "confirmed_hours": round(confirmed, 2),
        "tentative_hours": round(tentative, 2),
        "free_hours": round(free, 2),
        "utilization": round(min(utilization, UTILIZATION_CAP), 4),
    }


def candidate_sort_key(candidate):
    """Deterministic ranking: every required skill met first, then more required skills met,
    then more usable free hours, then lower utilization after assignment, then employee id.

    ``candidate`` is a dict with ``skills_met``, ``skills_required``, ``covered_hours``,
    ``utilization_after`` and ``employee_id``.
    """
    return (
        0 if candidate["skills_met"] >= candidate["skills_required"] else 1,
        -candidate["skills_met"],
        -round(candidate["covered_hours"], 2),
        round(candidate["utilization_after"], 4),
        candidate["employee_id"],
    )


def candidate_score(candidate, needed_hours):
    """A 0-100 score shown to people: 50 for skills, 35 for free hours, 15 for low utilization."""
    required = candidate["skills_required"]
    skills = candidate["skills_met"] / required if required else 1.0
    hours = min(1.0, candidate["covered_hours"] / needed_hours) if needed_hours else 1.0
    utilization = max(0.0, 1.0 - min(candidate["utilization_after"], 1.0))
    return round(50 * skills + 35 * hours + 15 * utilization, 1)
