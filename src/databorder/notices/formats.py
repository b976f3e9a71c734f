"""Every format of a version at once, for publishing: checked and laid out once, then rendered.

Formats are registered by name, and a name registered twice is an error at import: two
renderers answering for "csv" would make the archived bytes depend on import order.
`render_all` is what a publish stores; at 180,000 recipients it runs well inside the publish
budget because the snapshot is checked, sorted and summarised once for all nine outputs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from databorder.i18n import LANGUAGES
from databorder.notices.jsonld import jsonld_from_layout
from databorder.notices.layout import DEFAULT_PAGE_LIMIT, Layout, lay_out
from databorder.notices.lists import csv_from_layout, json_from_layout
from databorder.notices.render import document_from_layout, html_from_layout, markdown_from_layout
from databorder.notices.types import NoticeSnapshot

Key = tuple[str, str | None]
"""(format, language); the language is None for formats that carry codes, not words."""


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    localised: bool
    render: Callable[[Layout, str | None], bytes]


FORMATS: dict[str, Format] = {}


def _register(
    name: str, media_type: str, *, localised: bool
) -> Callable[[Callable[[Layout, str | None], bytes]], Callable[[Layout, str | None], bytes]]:
    def register(
        render: Callable[[Layout, str | None], bytes],
    ) -> Callable[[Layout, str | None], bytes]:
        if name in FORMATS:
            raise ValueError(f"notice format {name!r} is registered twice")
        FORMATS[name] = Format(name, media_type, localised, render)
        return render

    return register


def _lang(lang: str | None) -> str:
    if lang is None:
        raise ValueError("a localised format needs a language")
    return lang


@_register("html", "text/html; charset=utf-8", localised=True)
def _html(layout: Layout, lang: str | None) -> bytes:
    return html_from_layout(layout, _lang(lang)).encode("utf-8")


@_register("document", "text/html; charset=utf-8", localised=True)
def _document(layout: Layout, lang: str | None) -> bytes:
    return document_from_layout(layout, _lang(lang)).encode("utf-8")


@_register("md", "text/markdown; charset=utf-8", localised=True)
def _markdown(layout: Layout, lang: str | None) -> bytes:
    return markdown_from_layout(layout, _lang(lang)).encode("utf-8")


@_register("csv", "text/csv; charset=utf-8", localised=False)
def _csv(layout: Layout, lang: str | None) -> bytes:
    return csv_from_layout(layout)


@_register("json", "application/json", localised=False)
def _json(layout: Layout, lang: str | None) -> bytes:
    return json_from_layout(layout)


@_register("jsonld", "application/ld+json", localised=False)
def _jsonld(layout: Layout, lang: str | None) -> bytes:
    return jsonld_from_layout(layout)


def render_all(snapshot: NoticeSnapshot) -> dict[Key, bytes]:
    """Every format in every language it has, keyed (format, lang): what a publish stores."""
    layout = lay_out(snapshot, DEFAULT_PAGE_LIMIT)
    out: dict[Key, bytes] = {}
    for fmt in FORMATS.values():
        for lang in LANGUAGES if fmt.localised else (None,):
            out[fmt.name, lang] = fmt.render(layout, lang)
    return out


__all__ = ["FORMATS", "Format", "Key", "render_all"]
