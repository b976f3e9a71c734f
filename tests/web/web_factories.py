"""A small published registry for the web pages' tests: a few recipients in several countries,
registered through the registry service and published through the notice publisher."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=28)
NOW = T1 + timedelta(days=1)


@dataclass(frozen=True)
class Someone:
    rid: str
    name: str
    country: str
    role: str
    data_countries: tuple[str, ...] = ()


FIRST: tuple[Someone, ...] = (
    Someone("s-cn-1", "Shenzhen Example Trading Co., Ltd.", "CN", "seller"),
    Someone("s-cn-2", "Shanghai Bright Goods Co., Ltd.", "CN", "seller"),
    Someone("s-us-1", "Seattle Outdoor Supply LLC", "US", "seller"),
    Someone("p-sg-1", "Singapore Cloud Storage Pte. Ltd.", "SG", "processor", ("JP",)),
    Someone("c-kr-1", "한빛 관세법인", "KR", "customs_broker"),
    Someone("p-kr-1", "Seoul Parcel Delivery Co., Ltd.", "KR", "processor"),
    # A name that must be shown as text, never run: the registry accepts any legal name.
    Someone("s-jp-1", "<script>alert('x')</script> Osaka Goods", "JP", "seller"),
)
# Added in the second version, so the diff has something to say.
SECOND: tuple[Someone, ...] = (Someone("s-vn-1", "Saigon Handmade Co., Ltd.", "VN", "seller"),)


def register(session: Session, someone: Someone, at: datetime) -> None:
    RegistryService(session).create(
        RecipientIn.model_validate(
            {
                "id": someone.rid,
                "legal_name": someone.name,
                "country": someone.country,
                "role": someone.role,
                "privacy_email": f"privacy@{someone.rid}.example.com",
                "privacy_phone": "+82 2 555 0100" if someone.country == "KR" else None,
                "contract_safeguards": True,
                "retention_days": 30,
                "data_countries": list(someone.data_countries),
            }
        ),
        at,
    )


def publish_two_versions(runtime: Runtime) -> tuple[str, str]:
    """Version one with FIRST at T0, version two adding SECOND at T1; returns both versions."""
    with runtime.sessions.begin() as session:
        for someone in FIRST:
            register(session, someone, T0 - timedelta(days=1))
        first = runtime.publisher.publish(session, T0).version
    with runtime.sessions.begin() as session:
        for someone in SECOND:
            register(session, someone, T1 - timedelta(days=1))
        second = runtime.publisher.publish(session, T1).version
    return first, second


def many(count: int, prefix: str = "Acme Export") -> tuple[Someone, ...]:
    """`count` sellers in China whose names share a prefix, for paging."""
    return tuple(
        Someone(f"s-acme-{i:03d}", f"{prefix} {i:03d} Co.", "CN", "seller") for i in range(count)
    )
