"""Contact details of recipients: phones in E.164, emails normalised, both strictly checked.

Error messages never repeat the value they reject: a buyer's phone or email in an error
would end up in logs and client error reports, which is exactly where personal data must not go.

The notice must give every recipient's contact (PIPA Art. 28-8(2)3); a contact that cannot be
dialled or mailed is no contact, so these are validated with the libraries that know the
numbering plans and the address grammar rather than with regexes.
"""

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidContactError(ValueError):
    """A phone number or email address that cannot be used to reach anyone."""


def normalise_phone(text: str, region: str | None = None) -> str:
    """Return the number in E.164 (`+821012345678`); `region` parses national formats."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidContactError(f"phone cannot be parsed: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidContactError(
            "phone is not a valid number; give it in international form, e.g. +82 2 1234 5678"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _without(message: str, value: str) -> str:
    """The library's reason, with the offending value itself taken out."""
    return message.replace(value, "the address") if value else message


def normalise_email(text: str) -> str:
    """Return the normalised address; no DNS lookups (they would make validation depend on I/O)."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidContactError(f"email is not valid: {_without(str(exc), text)}") from exc
