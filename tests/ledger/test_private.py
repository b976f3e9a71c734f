"""Private leaves: the leaf's exact bytes, and every way a record fails to open it."""

import hashlib

import pytest

from databorder.ledger.canonical import canonical_json
from databorder.ledger.private import commitment, explain_opening, private_leaf

SALT = bytes(range(32))
RECORD = {"type": "disclosure", "id": "d-1", "subject_id": "b-1", "purpose": "shipping"}


def test_the_leaf_is_type_id_and_the_salted_commitment_in_canonical_json() -> None:
    leaf, data = private_leaf(RECORD, SALT)
    assert data == (b'{"id":"d-1","purpose":"shipping","subject_id":"b-1","type":"disclosure"}')
    expected = hashlib.sha256(SALT + data).hexdigest()
    assert leaf == b'{"commitment":"' + expected.encode() + b'","id":"d-1","type":"disclosure"}'
    assert explain_opening(leaf, data, SALT) is None


@pytest.mark.parametrize(
    ("record", "salt", "reason"),
    [
        (
            b'{"id":"d-1","purpose":"marketing","subject_id":"b-1","type":"disclosure"}',
            SALT,
            "not the leaf's commitment",
        ),
        (None, bytes(32), "not the leaf's commitment"),
        (
            b'{"id":"d-2","purpose":"shipping","subject_id":"b-1","type":"disclosure"}',
            SALT,
            "the leaf names disclosure 'd-1'",
        ),
        (b'{"type":"disclosure","id":"d-1"}', SALT, "canonical JSON"),
        (None, b"short", "must be 32 bytes"),
        (b"not json", SALT, "not JSON"),
    ],
)
def test_a_record_that_does_not_open_the_leaf_says_why(
    record: bytes | None, salt: bytes, reason: str
) -> None:
    leaf, data = private_leaf(RECORD, SALT)
    problem = explain_opening(leaf, record or data, salt)
    assert problem is not None
    assert reason in problem


def test_the_same_record_under_two_salts_gives_unlinkable_leaves() -> None:
    first, _ = private_leaf(RECORD, SALT)
    second, _ = private_leaf(RECORD, bytes(32))
    assert first != second
    with pytest.raises(ValueError, match="salt must be 32 bytes"):
        commitment(b"", b"{}")
    with pytest.raises(ValueError, match="string 'type' and 'id'"):
        private_leaf({"type": "disclosure"}, SALT)


@pytest.mark.parametrize("ident", ["d-1", '따옴표 " 와 \\ 역슬래시', "줄\n바꿈", "\u2028"])
def test_the_leaf_is_exactly_canonical_json_whatever_the_id(ident: str) -> None:
    leaf, data = private_leaf({"type": "disclosure", "id": ident}, SALT)
    expected = {"type": "disclosure", "id": ident, "commitment": commitment(SALT, data)}
    assert leaf == canonical_json(expected)
