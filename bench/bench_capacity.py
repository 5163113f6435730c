"""Resource planning: weekly capacity and candidate ranking at 200 and 1,000 employees.

Run: scripts/bench.sh bench/bench_capacity.py [--sizes 200,1000] [--weeks 13]
Builds a consultancy of N employees (a fifth on a part-time calendar), two public
holidays, validated leave for one employee in ten, pending leave for one in twenty,
two allocations per employee and skills with levels, then times:
- Odoo's own `_work_intervals_batch` for the calendar time alone (the reference),
- the full capacity computation (calendar, holidays, leave, pending leave, allocations),
- `get_capacity` over RPC-shaped input, and the report refresh (`svc.capacity.week`),
- ranking the candidates of one role requiring two skills against all N employees.
Goals: capacity under 0.3 s and 20 queries at 200 x 13 weeks, ranking under 0.5 s,
both growing at most linearly to 1,000 employees.
"""

from datetime import date, datetime, timedelta

from common import Measure, environment, parse_args
from pytz import utc


def main():
    args = parse_args(__doc__, sizes="200,1000", weeks="13")
    with environment(args.db) as env:
        run(env, [int(size) for size in args.sizes.split(",")], int(args.weeks))


def figure(label, size, weeks, measure):
    print(
        f"{label:<52} {size:>5} employees x {weeks} weeks  {measure.seconds:7.3f} s  {measure.queries:>4} queries"
    )


def run(env, sizes, weeks):
    company = env.company
    env["svc.approval.policy"].search([("model_name", "=", "svc.resource.allocation")]).active = False
    date_from = date(2027, 1, 4)  # a Monday
    date_to = date_from + timedelta(weeks=weeks, days=-1)
    full_time = company.resource_calendar_id
    part_time = env["resource.calendar"].create(
        {
            "name": "Bench part time",
            "attendance_ids": [(5, 0, 0)]
            + [
                (0, 0, {"name": f"D{day}{period}", "dayofweek": str(day), "hour_from": start, "hour_to": end,
                        "day_period": period})
                for day in range(3)
                for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
            ],
        }
    )  # fmt: skip
    env["resource.calendar.leaves"].create(
        [
            {"name": "Bench holiday 1", "company_id": company.id, "date_from": datetime(2027, 1, 6),
             "date_to": datetime(2027, 1, 6, 23, 59, 59)},
            {"name": "Bench holiday 2", "company_id": company.id, "date_from": datetime(2027, 3, 1),
             "date_to": datetime(2027, 3, 1, 23, 59, 59)},
        ]
    )  # fmt: skip
    leave_type = env["hr.leave.type"].create(
        {
            "name": "Bench leave",
            "requires_allocation": "no",
            "leave_validation_type": "hr",
            "request_unit": "day",
        }
    )
    skill_type = env["hr.skill.type"].create(
        {
            "name": "Bench skills",
            "skill_ids": [(0, 0, {"name": f"Skill {i}"}) for i in range(6)],
            "skill_level_ids": [(0, 0, {"name": name, "level_progress": progress})
                                for name, progress in (("Junior", 30), ("Confirmed", 60), ("Expert", 90))],
        }
    )  # fmt: skip
    skills = skill_type.skill_ids.sorted("id")
    levels = skill_type.skill_level_ids.sorted("level_progress")
    project = env["project.project"].create({"name": "Bench project"})
    employees = env["hr.employee"]
    for size in sizes:
        new = size - len(employees)
        start = len(employees)
        employees |= env["hr.employee"].create(
            [
                {"name": f"Bench employee {start + i}", "company_id": company.id,
                 "resource_calendar_id": (part_time if (start + i) % 5 == 0 else full_time).id}
                for i in range(new)
            ]
        )  # fmt: skip
        added = employees[start:]
        env["hr.employee.skill"].create(
            [
                {"employee_id": employee.id, "skill_type_id": skill_type.id, "skill_id": skills[(i + k) % 6].id,
                 "skill_level_id": levels[(i + k) % 3].id}
                for i, employee in enumerate(added)
                for k in range(2)
            ]
        )  # fmt: skip
        env["resource.calendar.leaves"].create(
            [
                {"name": "Bench validated leave", "resource_id": employee.resource_id.id,
                 "calendar_id": employee.resource_calendar_id.id, "time_type": "leave",
                 "date_from": datetime(2027, 1, 11 + i % 5, 7), "date_to": datetime(2027, 1, 12 + i % 5, 18)}
                for i, employee in enumerate(added) if i % 10 == 0
            ]
        )  # fmt: skip
        leaves = env["hr.leave"].with_context(leave_skip_state_check=True, mail_create_nolog=True).create(
            [
                {"name": "Bench pending", "employee_id": employee.id, "holiday_status_id": leave_type.id,
                 "request_date_from": date(2027, 2, 1 + i % 3), "request_date_to": date(2027, 2, 2 + i % 3)}
                for i, employee in enumerate(added) if i % 20 == 1
            ]
        )  # fmt: skip
        assert set(leaves.mapped("state")) <= {"confirm"}, leaves.mapped("state")
        env["svc.resource.allocation"].create(
            [
                {"employee_id": employee.id, "project_id": project.id, "date_from": date_from + timedelta(days=i % 7),
                 "date_to": date_from + timedelta(weeks=4 + i % 9), "hours_per_week": 8 + i % 24,
                 "state": "confirmed" if k == 0 else "tentative"}
                for i, employee in enumerate(added)
                for k in range(2)
            ]
        )  # fmt: skip
        request = env["svc.staffing.request"].create(
            {
                "project_id": project.id,
                "line_ids": [(0, 0, {"role": "Bench role", "hours_per_week": 24, "date_from": date_from,
                                     "date_to": date_from + timedelta(weeks=6, days=-3),
                                     "skill_ids": [(0, 0, {"skill_type_id": skill_type.id, "skill_id": skills[0].id,
                                                           "min_level_id": levels[1].id}),
                                                   (0, 0, {"skill_type_id": skill_type.id, "skill_id": skills[1].id,
                                                           "min_level_id": levels[0].id})]})],
            }
        )  # fmt: skip
        request.action_submit()
        env.flush_all()
        env.cr.execute("ANALYZE hr_employee, resource_resource, resource_calendar_leaves, hr_leave, "
                       "svc_resource_allocation, hr_employee_skill")  # fmt: skip
        start_dt = utc.localize(datetime.combine(date_from, datetime.min.time()))
        end_dt = utc.localize(datetime.combine(date_to + timedelta(days=1), datetime.min.time()))
        print(f"--- {size} employees, {weeks} ISO weeks from {date_from}")
        env.invalidate_all()
        full_time_resources = employees.filtered(lambda e: e.resource_calendar_id == full_time).resource_id
        env.invalidate_all()
        with Measure(env) as measure:
            full_time_resources.fetch(["tz", "calendar_id", "company_id"])  # as the capacity code does
            full_time.sudo()._work_intervals_batch(start_dt, end_dt, full_time_resources)
        figure("reference: _work_intervals_batch (one calendar)", len(full_time_resources), weeks, measure)
        Capacity = env["svc.capacity.week"]
        env.invalidate_all()
        with Measure(env) as measure:
            capacity = Capacity._compute_capacity(employees, date_from, date_to)
        figure("capacity: calendar+holidays+leave+pending+alloc", size, weeks, measure)
        assert len(capacity) == size and all(len(weeks_) == weeks for weeks_ in capacity.values())
        env.invalidate_all()
        with Measure(env) as measure:
            rows = Capacity.get_capacity(employees.ids, str(date_from), str(date_to))
        figure("get_capacity (RPC shape, with the employee search)", size, weeks, measure)
        assert len(rows) == size * weeks
        env.invalidate_all()
        with Measure(env) as measure:
            Capacity._refresh(employees, date_from, date_to)
        figure("report refresh (svc.capacity.week upsert)", size, weeks, measure)
        env.invalidate_all()
        line = request.line_ids
        with Measure(env) as measure:
            ranked = line._rank_candidates(limit=10)
        figure("ranking one role (2 skills) against all", size, 6, measure)
        assert len(ranked) == 10
        env.invalidate_all()
        with Measure(env) as measure:
            line.action_find_candidates()
        figure("action_find_candidates (ranking + top 10 rows)", size, 6, measure)


if __name__ == "__main__":
    main()
