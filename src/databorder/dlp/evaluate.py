"""Scoring a detector against a labelled corpus: precision, recall and F1 per type, exact spans.

A finding counts only when its type, start and end all equal a labelled span's: a phone found
without its `+82` or with a trailing particle would leave part of the number in the text (or
remove a word), so a near miss is both a false positive and a false negative.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

Labelled = tuple[str, int, int]  # (type, start, end)


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(
    pairs: Iterable[tuple[Iterable[Labelled], Iterable[Labelled]]],
    types: Iterable[str],
) -> tuple[dict[str, Score], Score]:
    """Per-type scores over `types` and their micro-average, from (gold, found) per message.

    Findings of a type outside `types` are ignored (a peer may report kinds we do not grade).
    """
    graded = set(types)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, found in pairs:
        want = {g for g in gold if g[0] in graded}
        got = {f for f in found if f[0] in graded}
        for t, _, _ in want & got:
            tp[t] += 1
        for t, _, _ in got - want:
            fp[t] += 1
        for t, _, _ in want - got:
            fn[t] += 1
    per_type = {t: Score(tp[t], fp[t], fn[t]) for t in sorted(graded)}
    micro = Score(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return per_type, micro
