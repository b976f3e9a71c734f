"""When a grant ends: a pure rule, shared by disclosure, delivery and the sweeper."""

from datetime import datetime, timedelta


def grant_expiry(
    ordered_at: datetime,
    delivered_at: datetime | None,
    access_days: int,
    pre_delivery_cap_days: int,
) -> datetime:
    """`access_days` after delivery; before delivery, a cap counted from the order.

    The cap matters: an order never marked delivered must not leave a seller with access forever.
    """
    if delivered_at is not None:
        return delivered_at + timedelta(days=access_days)
    return ordered_at + timedelta(days=pre_delivery_cap_days)
