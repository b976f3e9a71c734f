"""Charts as SVG, drawn on the server: plain values in, markup out, no I/O, no clock, no globals.

The console's overview and the audit pack's HTML report draw the same few kinds of chart, and
both must work with no script (the pages' Content Security Policy allows none inline, the pack
is opened offline). So a chart is an `<svg role="img">` whose `<title>` and `<desc>` say what it
shows, colours are SVG presentation attributes (an inline `style` would be refused by the
policy) and the second series is dashed as well as coloured, so colour is never the only cue.
A chart never stands alone: the page puts the same numbers in a table next to it, which is what
a screen reader and a regulator read.

Two functions:
    bar_chart(rows, *, title, description="", format_value=..., ident=None) -> Markup
        one horizontal bar per (label, value), in the order given;
    time_chart(labels, series, *, title, description="", format_value=..., ident=None) -> Markup
        one line per (name, values) over the x labels (dates, weeks), with a legend.
Numbers on the axes and bars come from `format_value`, so the caller localises them (Babel).
"""

import hashlib
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

# Series colours: each at least 4.5:1 on white (WCAG 1.4.11 asks 3:1 of graphics).
COLOURS = ("#0b4f8a", "#9b1c1c", "#0f5f2f", "#6b3fa0")
_DASHES = ("", "6 4", "2 3", "8 3 2 3")
_FONT = 13
_ROW = 26  # a bar's row height
_LABEL_CHARS = 22  # a bar's label is cut here in the chart; the table beside it has it whole


def _plain(value: float) -> str:
    return f"{value:g}"


def _ident(kind: str, title: str, payload: object) -> str:
    digest = hashlib.sha256(f"{kind}\x00{title}\x00{payload!r}".encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _cut(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def nice_ceiling(value: float) -> float:
    """The axis's top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (1 for nothing)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover (the loop ends at 10)


def _open(ident: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-size="{_FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str = "",
    format_value: Callable[[float], str] = _plain,
    ident: str | None = None,
    width: int = 480,
) -> Markup:
    """One horizontal bar per row, longest label cut at 22 characters; values are not sorted."""
    if any(value < 0 or not math.isfinite(value) for _, value in rows):
        raise ValueError(f"bar values must be finite and >= 0, got {[v for _, v in rows]}")
    ident = ident or _ident("bar", title, rows)
    label_width = 170
    value_width = 70
    bar_room = width - label_width - value_width
    top = max((value for _, value in rows), default=0.0)
    scale = bar_room / top if top > 0 else 0.0
    height = max(len(rows), 1) * _ROW + 8
    parts = _open(ident, width, height, title, description)
    if not rows:
        parts.append(f'<text x="0" y="{_ROW - 8}" class="chart-empty">–</text>')
    for n, (label, value) in enumerate(rows):
        y = 4 + n * _ROW
        length = value * scale
        shown = format_value(value)
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            f'<text x="{label_width - 8}" y="{y + _ROW / 2 + 4:.1f}" text-anchor="end" '
            f'fill="#1a1a1a">{escape(_cut(label))}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{_ROW - 8}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + _ROW / 2 + 4:.1f}" '
            f'fill="#1a1a1a">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape())


def time_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    description: str = "",
    format_value: Callable[[float], str] = _plain,
    ident: str | None = None,
    width: int = 640,
    height: int = 260,
) -> Markup:
    """A line per series over `labels`; the first, middle and last labels are written under
    the axis (more would overlap on a phone), every point carries its own tooltip."""
    if not 1 <= len(series) <= len(COLOURS):
        raise ValueError(f"a time chart draws 1 to {len(COLOURS)} series, got {len(series)}")
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(
                f"series {name!r} has {len(values)} values for {len(labels)} labels: "
                "expected one value per label"
            )
        if any(v < 0 or not math.isfinite(v) for v in values):
            raise ValueError(f"series {name!r}: values must be finite and >= 0")
    ident = ident or _ident("time", title, (tuple(labels), tuple(series)))
    left, right, top_pad, bottom = 56, 12, 34, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    ceiling = nice_ceiling(max((v for _, values in series for v in values), default=0.0))
    parts = _open(ident, width, height, title, description)
    # Legend: a sample of each line (dashed like it) and its name, along the top.
    x = left
    for n, (name, _) in enumerate(series):
        dash = f' stroke-dasharray="{_DASHES[n]}"' if _DASHES[n] else ""
        parts.append(
            f'<line x1="{x}" y1="14" x2="{x + 24}" y2="14" stroke="{COLOURS[n]}" '
            f'stroke-width="3"{dash}/>'
            f'<text x="{x + 30}" y="18" fill="#1a1a1a">{escape(name)}</text>'
        )
        x += 30 + _FONT * len(name) + 24
    # Horizontal grid lines at quarters of the ceiling, labelled.
    for q in range(5):
        value = ceiling * q / 4
        y = top_pad + plot_h - plot_h * q / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#c9d2db" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a4a4a">'
            f"{escape(format_value(value))}</text>"
        )
    count = len(labels)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return top_pad + plot_h - plot_h * v / ceiling

    for i in sorted({0, count // 2, count - 1} if count else set()):
        anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 else "middle"
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{height - 8}" text-anchor="{anchor}" fill="#4a4a4a">'
            f"{escape(labels[i])}</text>"
        )
    for n, (name, values) in enumerate(series):
        dash = f' stroke-dasharray="{_DASHES[n]}"' if _DASHES[n] else ""
        points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{COLOURS[n]}" '
            f'stroke-width="2.5"{dash}/>'
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{COLOURS[n]}">'
                f"<title>{escape(name)}, {escape(labels[i])}: {escape(format_value(v))}</title>"
                "</circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape())


__all__ = ["COLOURS", "bar_chart", "nice_ceiling", "time_chart"]
