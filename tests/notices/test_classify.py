"""Where the notice names a recipient follows the law the engine applies (contract v2)."""

import pytest

from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices.classify import Classifier
from databorder.notices.types import Section
from databorder.policy import load_pack

CLASSIFIER = Classifier(load_pack())
SELLER, PROCESSOR = RecipientRole.SELLER, RecipientRole.PROCESSOR
SHIP = (Purpose.SHIPPING,)


@pytest.mark.parametrize(
    ("country", "others", "role", "section", "ground", "article"),
    [
        ("CN", (), SELLER, Section.OVERSEAS_TRANSFER, Ground.CONSENT, "PIPA 28-8(1)1"),
        (
            "CN",
            (),
            PROCESSOR,
            Section.OVERSEAS_TRANSFER,
            Ground.ENTRUSTED_CONTRACT,
            "PIPA 28-8(1)3",
        ),
        ("KR", (), SELLER, Section.PROVISION, Ground.CONSENT, "PIPA 17(1)1"),
        ("KR", (), PROCESSOR, Section.ENTRUSTMENT, Ground.ENTRUSTED_CONTRACT, "PIPA 26"),
        # A Korean processor storing on a foreign cloud transfers abroad (rule 1).
        (
            "KR",
            ("US",),
            PROCESSOR,
            Section.OVERSEAS_TRANSFER,
            Ground.ENTRUSTED_CONTRACT,
            "PIPA 28-8(1)3",
        ),
        ("KR", ("KR",), SELLER, Section.PROVISION, Ground.CONSENT, "PIPA 17(1)1"),
    ],
)
def test_section_ground_and_article_follow_the_data_countries_and_role(
    country: str,
    others: tuple[str, ...],
    role: RecipientRole,
    section: Section,
    ground: Ground,
    article: str,
) -> None:
    countries, got_section, got_ground, got_article, _ = CLASSIFIER.placement(
        country, others, role, SHIP
    )
    assert (got_section, got_ground, got_article) == (section, ground, article)
    assert countries[0] == country
    assert country not in countries[1:]


def test_data_countries_come_seat_first_then_sorted_once() -> None:
    countries, *_ = CLASSIFIER.placement("KR", ("US", "JP", "US", "KR"), PROCESSOR, SHIP)
    assert countries == ("KR", "JP", "US")


def test_items_are_what_the_purposes_can_carry_never_a_prohibited_one() -> None:
    *_, items = CLASSIFIER.placement("CN", (), SELLER, (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE))
    assert items == (
        DataItem.NAME, DataItem.PHONE, DataItem.EMAIL, DataItem.ADDRESS,
        DataItem.POSTAL_CODE, DataItem.ORDER_ITEMS,
    )  # fmt: skip
    *_, payment = CLASSIFIER.placement(
        "NL", (), RecipientRole.PAYMENT_PROCESSOR, (Purpose.PAYMENT,)
    )
    assert DataItem.CARD_NUMBER in payment
    *_, seller_payment = CLASSIFIER.placement("CN", (), SELLER, (Purpose.PAYMENT,))
    assert seller_payment == ()  # payment data go only to a payment processor
    assert all(DataItem.RRN not in p[-1] for p in CLASSIFIER._placements.values())
