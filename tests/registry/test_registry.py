"""Registry: every recipient field validated, CSV imports all-or-nothing with row and field."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from databorder.errors import Conflict, InvalidInput, Unauthorized
from databorder.registry.models import Recipient
from databorder.registry.schemas import RecipientIn, RecipientUpdate
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from factories import T0, add_recipient

HEADER = (
    "id,legal_name,country,role,privacy_email,privacy_phone,certifications,"
    "contract_safeguards,retention_days\n"
)
GOOD = "s-1,Shenzhen A Trading Co. Ltd.,CN,seller,privacy@a.example.cn,+86 755 8888 1234,,yes,30\n"


def _recipients(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Recipient)) or 0)


def test_phone_is_stored_in_e164(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s, privacy_phone="+86 (755) 8888-1234")
    with runtime.sessions() as s:
        row = RegistryService(s).get("s-cn-1")
        assert row.privacy_phone == "+8675588881234"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("country", "XX", "ISO 3166-1"),
        ("country", "UK", "ISO 3166-1"),
        ("privacy_phone", "+86 123", "not a valid number"),
        ("privacy_email", "privacy-at-example", "not valid"),
        ("role", "reseller", "seller"),
        ("retention_days", 0, "greater than or equal to 1"),
    ],
)
def test_bad_field_is_named_with_reason(field: str, value: object, fragment: str) -> None:
    data = {
        "id": "s-1",
        "legal_name": "A Co., Ltd.",
        "country": "CN",
        "role": "seller",
        "privacy_email": "p@example.cn",
        "contract_safeguards": True,
        "retention_days": 30,
        field: value,
    }
    with pytest.raises(ValueError, match=fragment) as info:
        RecipientIn.model_validate(data)
    assert info.value.errors()[0]["loc"] == (field,)  # type: ignore[attr-defined]


def test_domestic_agent_fields_go_together() -> None:
    with pytest.raises(ValueError, match="go together"):
        RecipientIn.model_validate(
            {
                "id": "s-1",
                "legal_name": "A Co., Ltd.",
                "country": "CN",
                "role": "seller",
                "privacy_email": "p@example.cn",
                "contract_safeguards": True,
                "retention_days": 30,
                "domestic_agent_name": "대리인(주)",
            }
        )


def test_duplicate_create_is_a_conflict(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
    with pytest.raises(Conflict), runtime.sessions.begin() as s:
        add_recipient(s)


def test_update_is_validated_as_the_merged_record(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
    with runtime.sessions.begin() as s:
        row = RegistryService(s).update("s-cn-1", RecipientUpdate(retention_days=90), T0)
        assert row.retention_days == 90
    with pytest.raises(InvalidInput, match="go together"), runtime.sessions.begin() as s:
        RegistryService(s).update("s-cn-1", RecipientUpdate(domestic_agent_name="대리인"), T0)


def test_csv_import_creates_and_updates(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        created, updated = RegistryService(s).import_csv(HEADER + GOOD, T0)
    assert (created, updated) == (1, 0)
    changed = GOOD.replace(",yes,30\n", ",yes,60\n")
    with runtime.sessions.begin() as s:
        assert RegistryService(s).import_csv(HEADER + changed, T0) == (0, 1)
        assert RegistryService(s).get("s-1").retention_days == 60


def test_csv_import_reports_every_bad_row_and_writes_nothing(runtime: Runtime) -> None:
    bad_country = GOOD.replace("s-1,", "s-2,").replace(",CN,", ",XX,")
    bad_bool = GOOD.replace("s-1,", "s-3,").replace(",yes,30", ",maybe,30")
    with pytest.raises(InvalidInput) as info, runtime.sessions.begin() as s:
        RegistryService(s).import_csv(HEADER + GOOD + bad_country + bad_bool, T0)
    problems = [(p.row, p.field) for p in info.value.problems]
    assert problems == [(2, "country"), (3, "contract_safeguards")]
    with runtime.sessions() as s:
        assert _recipients(s) == 0


def test_csv_import_rejects_unknown_columns_and_duplicate_ids(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput, match="unknown column"), runtime.sessions.begin() as s:
        RegistryService(s).import_csv(HEADER.replace("role", "kind") + GOOD, T0)
    with pytest.raises(InvalidInput, match="duplicate of row 1"), runtime.sessions.begin() as s:
        RegistryService(s).import_csv(HEADER + GOOD + GOOD, T0)


def test_api_key_is_stored_hashed_and_authenticates(runtime: Runtime) -> None:
    with runtime.sessions.begin() as s:
        add_recipient(s)
        key = RegistryService(s).issue_api_key("s-cn-1", T0)
    with runtime.sessions() as s:
        assert RegistryService(s).authenticate(key).id == "s-cn-1"
        stored = (
            s.execute(select(Recipient.api_keys.property.mapper.class_.key_hash)).scalars().all()
        )
        assert key not in stored
        with pytest.raises(Unauthorized):
            RegistryService(s).authenticate(key + "x")


def test_contact_errors_do_not_repeat_the_rejected_value() -> None:
    from databorder.model.contact import (  # noqa: PLC0415
        InvalidContactError,
        normalise_email,
        normalise_phone,
    )

    for call, value in (
        (normalise_phone, "+82 10 5970 1234"),
        (normalise_phone, "010-59x"),
        (normalise_email, "minsu.kim@@example.kr"),
    ):
        with pytest.raises(InvalidContactError) as info:
            call(value)
        assert value not in str(info.value)
        assert "5970" not in str(info.value)
        assert "minsu" not in str(info.value)
