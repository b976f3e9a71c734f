"""Compiling the label and bank word lists so that Python's regex engine scans them quickly.

Two things made these alternations of some two hundred words the costliest part of a scan:

- `re.IGNORECASE`: each character compared case-insensitively, about twice the cost. The words
  are compiled in lower case instead, and read the text folded (`context.fold`).
- No first-character skip: the engine tries every alternative at every position, because it
  only skips ahead to a pattern's possible first characters when the pattern starts with a
  literal or a class. A lookahead of the alternatives' first characters gives it one cheap
  test per position, and a position no word can start at is left after it. The lookahead is
  built from the words themselves, so it cannot drift from them.
"""

import re

_META = frozenset("\\[].^$*+?{}|")


def lowered(pattern: str) -> str:
    """`pattern` in lower case; refused if it holds an escape whose meaning lower case changes."""
    for escape in ("\\S", "\\D", "\\W", "\\B", "\\A", "\\Z"):
        if escape in pattern:
            raise ValueError(f"word pattern holds {escape}, which lower-casing would change")
    return pattern.lower()


def _closing(pattern: str, opening: int) -> int:
    """The index of the parenthesis closing the one at `opening` (escapes and classes aside)."""
    depth, index, in_class = 0, opening, False
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\":
            index += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unbalanced parenthesis at {opening} in {pattern!r}")


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern` (split at `|` outside groups and classes)."""
    parts, start, index = [], 0, 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\":
            index += 2
            continue
        if ch == "(":
            index = _closing(pattern, index) + 1
            continue
        if ch == "[":
            index = pattern.index("]", index + 1) + 1
            continue
        if ch == "|":
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def first_characters(pattern: str) -> frozenset[str]:
    """Every character a match of `pattern` can start with.

    Only the shapes the word lists use are understood: alternatives each starting with a
    literal character or a required group (`(?:iM|대구)\\s?은행`, `(?P<kind>...)`); anything
    else (a class, an escape, an optional first item) is refused rather than guessed.
    """
    found: set[str] = set()
    for alternative in alternatives(pattern):
        if not alternative:
            raise ValueError(f"empty alternative in {pattern!r}: it would match anywhere")
        if alternative[0] == "(":
            end = _closing(alternative, 0)
            if end + 1 < len(alternative) and alternative[end + 1] in "?*{":
                raise ValueError(f"optional first group in {alternative!r}")
            inner = alternative[1:end]
            if inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?P<"):
                inner = inner[inner.index(">") + 1 :]
            found |= first_characters(inner)
            continue
        first = alternative[0]
        if first in _META or (len(alternative) > 1 and alternative[1] in "?*{"):
            raise ValueError(f"alternative {alternative!r} does not start with a required literal")
        found.add(first)
    return frozenset(found)


def words(pattern: str) -> re.Pattern[str]:
    """`pattern` (lower case) behind a lookahead of its first characters: the same matches."""
    firsts = "".join(re.escape(ch) for ch in sorted(first_characters(pattern)))
    return re.compile(f"(?=[{firsts}])(?:{pattern})")
