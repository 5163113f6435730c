from . import (
    test_exception_queue,
    test_inbox_concurrency,
    test_inbox_processing,
    test_mail_batch,
    test_outbox,
    test_signing,
    test_ui_tour,
    test_webhook_fuzz,
    test_webhook_inbox,
)
