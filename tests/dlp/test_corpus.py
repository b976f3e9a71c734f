"""The corpus is reproducible and its labels are exact, and the filter meets its goals on it."""

from databorder.dlp.corpus import build
from databorder.dlp.engine import scan
from databorder.dlp.evaluate import Score, score
from databorder.dlp.types import FindingType


def test_the_same_seed_builds_the_same_corpus():
    assert build(3, 50) == build(3, 50)
    assert build(3, 50) != build(4, 50)


def test_labels_are_spans_of_the_text_and_every_type_occurs():
    corpus = build(5, 800)
    seen = set()
    for m in corpus:
        for s in m.spans:
            value = m.text[s.start : s.end]
            assert value == value.strip()
            assert value
            seen.add(s.type)
    assert seen == set(FindingType)
    assert {m.lang for m in corpus} == {"ko", "en"}


def test_the_filter_scores_above_its_goals_on_a_fresh_seed():
    corpus = build(99, 1500)
    pairs = (
        (
            [(s.type.value, s.start, s.end) for s in m.spans],
            [(f.type.value, f.start, f.end) for f in scan(m.text)],
        )
        for m in corpus
    )
    per_type, micro = score(pairs, [t.value for t in FindingType])
    assert micro.f1 >= 0.97
    assert {t: s.f1 for t, s in per_type.items() if s.f1 < 0.95} == {}


def test_scores_count_exact_spans_only():
    per_type, micro = score([([("phone", 0, 5)], [("phone", 0, 4)])], ["phone"])
    assert per_type["phone"] == Score(0, 1, 1)
    assert micro.f1 == 0.0
