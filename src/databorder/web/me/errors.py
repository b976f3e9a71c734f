"""The privacy center's own errors, in the project's tree, and what a buyer is told about each.

DataborderError                       (databorder.errors)
 ├── Unauthorized        401
 │    ├── SignInRequired       401: no session, or it ended (idle, too old), or a hand-over
 │    │                             link was refused (expired, used, not for us): says which
 │    └── FreshSignInRequired  401: a destructive action after a sign-in older than 10 minutes
 └── Forbidden           403
      └── AccountDeleted       403: the account was deleted; only the requests stay readable

Each is answered as a page in the reader's language by `center.MeRoute`, never as JSON.
"""

from databorder.errors import Forbidden, Unauthorized
from databorder.web.buyer_session import LoginRefusal, SessionEnd


class SignInRequired(Unauthorized):
    def __init__(
        self,
        detail: str,
        end: SessionEnd | None = None,
        refusal: LoginRefusal | str | None = None,
    ) -> None:
        super().__init__(f"sign-in required: {detail}")
        self.end = end
        self.refusal = refusal


class FreshSignInRequired(Unauthorized):
    def __init__(self, action: str) -> None:
        super().__init__(f"{action} needs a sign-in from the last 10 minutes")
        self.action = action


class AccountDeleted(Forbidden):
    def __init__(self, buyer_id: str) -> None:
        super().__init__(f"buyer {buyer_id!r} deleted their account")
        self.buyer_id = buyer_id


__all__ = ["AccountDeleted", "FreshSignInRequired", "SignInRequired"]
