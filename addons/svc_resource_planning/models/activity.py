"""Scheduling many activities in one create."""


def create_activities(env, values_list):
    """Create the activities in one batch, merging those for the same record and person.

    mail.activity's batch create subscribes the assignee once per activity and fails on a
    duplicate follower when two activities of one batch share a record and a user, so
    they become one activity whose summary and note say both.
    """
    merged = {}
    for values in values_list:
        key = (values["res_model_id"], values["res_id"], values["user_id"])
        if key in merged:
            merged[key]["summary"] = f"{merged[key]['summary']}; {values['summary']}"
            merged[key]["note"] = f"{merged[key].get('note') or ''} {values.get('note') or ''}".strip()
        else:
            merged[key] = dict(values)
    return (
        env["mail.activity"]
        .sudo()
        .with_context(mail_activity_quick_update=True)
        .create(list(merged.values()))
    )
