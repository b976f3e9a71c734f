"""Buyers' rights, each tracked from the request to its end at every recipient concerned.

`RightsRequests` is what the privacy center and the API call (erase, withdraw, suspend,
correct, export, complain; a buyer's requests; the officer's overdue list and answers);
`RightsTasks` is the recipients' side (acknowledge) and the officer's redelivery;
`RecipientWebhooks` registers where a recipient takes its tasks; `Dispatcher` delivers the
outbox, by Standard Webhooks or bilingual email. `RightsService` is the one-transaction lever
underneath (revoke, shred) the others build on.
"""

from databorder.rights.dispatch import (
    Dispatcher,
    DispatchReport,
    HttpWebhooks,
    MailDirectory,
    SmtpMail,
    dispatch_due,
    mail_transport,
)
from databorder.rights.requests import CORRECTABLE, RightsRequests
from databorder.rights.services import RightsOutcome, RightsService
from databorder.rights.tasks import RightsTasks
from databorder.rights.types import (
    DEFAULT_DEADLINE_DAYS,
    Acknowledgement,
    Channel,
    Receipt,
    RecipientRef,
    RequestKind,
    RequestState,
    RetryPolicy,
    TaskState,
    TaskView,
    Topic,
)
from databorder.rights.webhooks import RecipientWebhooks, WebhookView, new_secret

__all__ = [
    "CORRECTABLE",
    "DEFAULT_DEADLINE_DAYS",
    "Acknowledgement",
    "Channel",
    "DispatchReport",
    "Dispatcher",
    "HttpWebhooks",
    "MailDirectory",
    "Receipt",
    "RecipientRef",
    "RecipientWebhooks",
    "RequestKind",
    "RequestState",
    "RetryPolicy",
    "RightsOutcome",
    "RightsRequests",
    "RightsService",
    "RightsTasks",
    "SmtpMail",
    "TaskState",
    "TaskView",
    "Topic",
    "WebhookView",
    "dispatch_due",
    "mail_transport",
    "new_secret",
]
