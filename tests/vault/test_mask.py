"""Masks follow Korean practice and never keep enough to recover the value."""

import pytest

from databorder.vault.mask import mask_address, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [("김민수", "김*수"), ("남궁민수", "남**수"), ("김수", "김*"), ("John Smith", "J*** S****")],
)
def test_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_phones_keep_only_the_last_four_digits() -> None:
    assert mask_phone("+821023456789") == "010-****-6789"
    assert mask_phone("+8675588881234") == "+86 ****-1234"


def test_email_keeps_first_letter_and_domain() -> None:
    assert mask_email("minsu@example.kr") == "m****@example.kr"


def test_address_keeps_province_and_district() -> None:
    assert mask_address("서울특별시 강남구 테헤란로 123 4층") == "서울특별시 강남구 ***"
