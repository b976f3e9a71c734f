from databorder.dlp.checks import (
    RegistrationCheck,
    card_issuer,
    frn_check_digit,
    luhn,
    registration_number,
    rrn_check_digit,
)


def _with_check(head: str, foreign: bool = False) -> str:
    return head + str(frn_check_digit(head) if foreign else rrn_check_digit(head))


def test_a_citizen_number_with_its_check_digit_passes_the_checksum():
    assert registration_number(_with_check("900115123456")) is RegistrationCheck.CHECKSUM


def test_a_wrong_check_digit_leaves_a_post_2020_number_judged_by_date_and_gender():
    good = _with_check("900115123456")
    bad = good[:12] + str((int(good[12]) + 1) % 10)
    assert registration_number(bad) is RegistrationCheck.NO_CHECKSUM


def test_an_impossible_date_or_length_is_not_a_registration_number():
    assert registration_number(_with_check("900231123456")) is RegistrationCheck.INVALID
    assert registration_number("90011512345") is RegistrationCheck.INVALID


def test_foreigners_check_digit_is_offset_by_two():
    head = "900115512345"
    assert (frn_check_digit(head) - rrn_check_digit(head)) % 10 == 2
    assert registration_number(_with_check(head, foreign=True)) is RegistrationCheck.CHECKSUM


def test_luhn_and_issuer_ranges():
    assert luhn("4111111111111111")
    assert not luhn("4111111111111112")
    assert card_issuer("4111111111111111") == "Visa"
    assert card_issuer("378282246310005") == "American Express"
    assert card_issuer("9111111111111111") is None
