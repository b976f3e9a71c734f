"""Replace what was found: each finding's span by what its reader may see instead.

Pure: the caller decides each replacement (a type tag for the CLI, the policy's form for an API
recipient); this module only splices, right to left so the earlier offsets stay valid.
"""

from collections.abc import Callable, Sequence

from databorder.dlp.types import Finding


def tag(finding: Finding, _value: str) -> str:
    """The default replacement: the type in brackets, `[phone]`."""
    return f"[{finding.type.value}]"


def redact(
    text: str, findings: Sequence[Finding], replace: Callable[[Finding, str], str] = tag
) -> str:
    """`text` with every finding's span replaced by `replace(finding, original value)`.

    The findings must not overlap (as `engine.resolve` returns them); an overlap would splice
    one replacement into another's, so it is refused rather than half-applied.
    """
    parts: list[str] = []
    cursor = len(text)
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        if f.end > cursor:
            raise ValueError(f"findings overlap at {f.start}..{f.end}: resolve them first")
        if f.end > len(text):
            raise ValueError(f"finding {f.start}..{f.end} is past the text's end ({len(text)})")
        parts.append(text[f.end : cursor])
        parts.append(replace(f, text[f.start : f.end]))
        cursor = f.start
    parts.append(text[:cursor])
    return "".join(reversed(parts))
