"""Masked forms of personal data, following Korean practice (`김*수`, `010-****-5678`).

Pure string functions: a masked value must never let the reader recover the real one, so each
keeps only what identifies the record to a service agent (first and last characters, the last
four digits, the mail domain).
"""

import phonenumbers


def mask_name(name: str) -> str:
    """김민수 → 김*수, 김수 → 김*, John Smith → J*** S****."""
    name = name.strip()
    if " " in name:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split() if part)
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(e164: str) -> str:
    """+821012345678 → 010-****-5678; other numbers keep the country code and last four digits."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in e164 if ch.isdigit())
        return f"****-{digits[-4:]}"
    national = str(number.national_number)
    if number.country_code == 82:
        return f"0{national[:2]}-****-{national[-4:]}"
    return f"+{number.country_code} ****-{national[-4:]}"


def mask_email(email: str) -> str:
    """minsu.kim@example.com → m********@example.com."""
    local, _, domain = email.partition("@")
    if not domain:
        return "*" * len(email)
    return (local[:1] + "*" * max(len(local) - 1, 1)) + "@" + domain


def mask_address(address: str) -> str:
    """Keep the first two words (province, city/district); hide the rest."""
    words = address.split()
    return " ".join([*words[:2], "***"]) if len(words) > 2 else "***"


def mask_text(value: str) -> str:
    """Anything else: first character and length-preserving stars."""
    return value[:1] + "*" * max(len(value) - 1, 1)
