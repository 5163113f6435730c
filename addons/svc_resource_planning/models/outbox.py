"""Publishing many outbox events of one type with one endpoint lookup per company."""


def publish_many(env, event_type, records_payloads):
    """Queue `event_type` for each (record, payload): the endpoint search runs once per
    company, not once per record, so a cron notifying thousands of lines stays cheap."""
    outbox = env["svc.outbox.event"].sudo()
    endpoints_by_company = {}
    for record, payload in records_payloads:
        company = record.company_id or env.company
        if company not in endpoints_by_company:
            endpoints_by_company[company] = env["svc.webhook.endpoint"]._subscribed(event_type, company)
        endpoints = endpoints_by_company[company]
        if endpoints:
            outbox._create_rows(event_type, record, payload, endpoints, company)
