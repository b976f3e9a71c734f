import pytest

from databorder.dlp.engine import scan
from databorder.dlp.redact import redact
from databorder.dlp.types import Finding, FindingType


def test_every_finding_is_replaced_and_the_rest_kept():
    text = "전화 010-2345-6789, 메일 a@b.co.kr 입니다"
    assert redact(text, scan(text)) == "전화 [phone], 메일 [email] 입니다"


def test_the_replacement_sees_the_original_value():
    text = "x 010-2345-6789 y"
    assert redact(text, scan(text), lambda f, v: v[-4:]) == "x 6789 y"


def test_overlapping_findings_are_refused():
    a = Finding(FindingType.EMAIL, 0, 5, 0.9, "a", "")
    b = Finding(FindingType.PHONE, 3, 8, 0.9, "b", "")
    with pytest.raises(ValueError, match="overlap"):
        redact("0123456789", [a, b])
