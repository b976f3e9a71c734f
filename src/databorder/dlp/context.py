"""The words around a number: which label names it, which bank or document it belongs to.

Two uses, two distances. A *label that owns* a number stands right before it, with at most
punctuation, a particle or "no." between (`주문번호: 2411201234567`, `order #4111...`); an
owning label for another kind of identifier (order, tracking, product, business registration,
invoice) vetoes every detector, because the writer has said what the number is. A *nearby
label* (within a short window, the closest one wins) is the context a detector needs before it
may call a bare digit string an account or a passport number.

Every function here reads the *folded* text (`fold`: lower case, same length, so offsets agree
with the original): the word lists are compiled in lower case, without `re.IGNORECASE`, behind a
lookahead of their first characters (`dlp/patterns.py` says why).
"""

import re

from databorder.dlp.patterns import lowered, words

# Labels of identifiers that are not personal data: an owning one vetoes a finding.
NEGATIVE = frozenset({"order", "tracking", "product", "business", "invoice"})

_LABEL_WORDS: dict[str, str] = {
    "order": r"주문\s?번호|주문\s?코드|결제\s?번호|승인\s?번호|order\s?(?:no\.?|number|id|#)|order",
    "tracking": r"운송장(?:\s?번호)?|송장(?:\s?번호)?|등기\s?번호|택배\s?번호|tracking(?:\s?(?:no\.?|number|#))?|waybill|AWB",
    "product": r"상품\s?(?:코드|번호)|품번|모델(?:명|\s?번호)?|SKU|product\s?(?:code|no\.?|number|id)|item\s?(?:code|no\.?)|model(?:\s?(?:no\.?|number))?|part\s?(?:no\.?|number)",
    "business": r"사업자(?:\s?등록)?(?:\s?번호)?|통신판매업?(?:\s?신고)?(?:\s?번호)?|BRN|business\s?registration(?:\s?(?:no\.?|number))?|tax\s?id",
    "invoice": r"인보이스(?:\s?번호)?|영수증(?:\s?번호)?|invoice(?:\s?(?:no\.?|number|#))?|receipt(?:\s?(?:no\.?|number|#))?",
    "rrn": r"주민\s?(?:등록)?\s?번호|주민등록|주민|resident\s?registration(?:\s?(?:no\.?|number))?|RRN",
    "frn": r"외국인\s?등록\s?번호|외국인\s?등록증?|외국인\s?번호|alien\s?registration(?:\s?(?:no\.?|number))?|foreigner\s?registration(?:\s?(?:no\.?|number))?|ARC|FRN",
    "account": r"계좌\s?번호|계좌|입금|송금|환불\s?받을|예금주|account(?:\s?(?:no\.?|number|#))?|acct\.?|bank\s?transfer|deposit",
    "passport": r"여권\s?번호|여권|passport(?:\s?(?:no\.?|number|#))?",
    "customs": r"개인\s?통관\s?고유\s?부호|통관\s?(?:고유)?\s?(?:부호|번호|코드)|PCCC|customs\s?(?:clearance\s?)?(?:code|no\.?|number)",
    "phone": r"전화\s?번호|전화|연락처|휴대폰|핸드폰|휴대전화|폰\s?번호|phone(?:\s?(?:no\.?|number))?|mobile|tel\.?|cell|call|whatsapp",
    "birth": r"생년월일|생일|출생(?:일|년도)?|태어난\s?날|date\s?of\s?birth|birth\s?date|birthday|DOB|born(?:\s?on)?",
    "card": r"카드\s?번호|카드|card(?:\s?(?:no\.?|number))?|visa|mastercard|amex",
}


def fold(text: str) -> str:
    """`text` in lower case with every offset unchanged, for the patterns below.

    `str.lower` is one C call, but a few characters lower to two (U+0130 to "i" and a combining
    dot): then only ASCII is folded, which is every letter the labels are spelt in.
    """
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


_LABELS = words(
    "|".join(f"(?P<{kind}>{lowered(alternation)})" for kind, alternation in _LABEL_WORDS.items())
)

# Each kind's words alone: whether a text mentions the kind at all, tested once per text so a
# detector that needs its word (a passport, a birth date) costs one search when it is absent.
_KIND_WORDS = {kind: words(lowered(alternation)) for kind, alternation in _LABEL_WORDS.items()}

# What may stand between an owning label and its number.
_OWNING_GAP = re.compile(
    r"[\s:：#=\-.()\[\]]*(?:은|는|이|가|을|를|의)?[\s:：#=\-.()\[\]]*(?:no\.?|num\.?)?[\s:：#.]*"
)

# Korean banks as customers write them; short forms only where they are not everyday words
# (우리 is "we", 하나 "one", 기업 "company", 국민 "citizens": those need 은행 or their prefix).
BANK_NAMES = words(
    lowered(
        r"KB\s?국민|국민은행|신한(?:은행)?|우리은행|KEB\s?하나|하나은행|NH\s?농협|농협(?:은행)?|IBK\s?기업"
        r"|기업은행|카카오\s?뱅크|카뱅|토스\s?뱅크|케이\s?뱅크|새마을\s?금고|우체국|수협(?:은행)?|신협"
        r"|SC\s?제일(?:은행)?|씨티은행|(?:iM|대구|부산|경남|광주|전북|제주|산업)\s?은행|은행"
        r"|Kookmin|Shinhan|Woori|Hana\s?Bank|Nonghyup|IBK|Kakao\s?Bank|Toss\s?Bank|bank"
    )
)

NEAR = 24  # code points before a number in which a nearby label counts
AFTER = 14  # code points after a number in which a bank name counts


def mentions(text: str, kind: str) -> bool:
    """Whether a label of `kind` occurs anywhere in `text`."""
    return _KIND_WORDS[kind].search(text) is not None


def owning_label(text: str, start: int) -> str | None:
    """The kind of label standing right before `start` (see the module docstring), or None."""
    window = text[max(0, start - NEAR) : start]
    last = None
    for match in _LABELS.finditer(window):
        last = match
    if last is None:
        return None
    gap = window[last.end() :]
    return _kind(last) if _OWNING_GAP.fullmatch(gap) else None


def nearest_label(text: str, start: int, width: int = NEAR) -> str | None:
    """The kind of the label closest before `start` within `width` code points, or None."""
    last = None
    for match in _LABELS.finditer(text, max(0, start - width), start):
        last = match
    return None if last is None else _kind(last)


def label_before(text: str, start: int, kinds: frozenset[str], width: int = NEAR) -> bool:
    """Whether a label of one of `kinds` stands within `width` code points before `start`."""
    return any(_kind(m) in kinds for m in _LABELS.finditer(text, max(0, start - width), start))


def label_after(text: str, end: int, kinds: frozenset[str], width: int = AFTER) -> bool:
    """Whether a label of one of `kinds` follows `end` within `width` code points."""
    return any(_kind(m) in kinds for m in _LABELS.finditer(text, end, end + width))


def bank_near(text: str, start: int, end: int) -> bool:
    """Whether a bank's name stands within reach of the span (before, or just after)."""
    return (
        BANK_NAMES.search(text, max(0, start - NEAR), start) is not None
        or BANK_NAMES.search(text, end, end + AFTER) is not None
    )


def _kind(match: re.Match[str]) -> str:
    kind = match.lastgroup
    assert kind is not None  # noqa: S101 (every alternative is a named group)
    return kind
