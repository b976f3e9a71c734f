"""The notice: the privacy policy's overseas-transfer, provision and entrustment sections.

Pure: a registry snapshot (`NoticeSnapshot`) in, documents out, in Korean and English, as HTML,
Markdown, CSV, JSON and DPV JSON-LD; no database, no clock. Every recipient is named in every
format: where a table is too long for a page, the page gives exact counts and links to the
full list, which the downloads are. `content_hash` is a version's identity and `diff` says
which changes between versions need buyers' fresh consent. Publishing (storing a version,
serving it) lives elsewhere and calls these.
"""

from databorder.notices.diff import Change, ChangeKind, NoticeDiff, diff, render_diff_html
from databorder.notices.formats import FORMATS, render_all
from databorder.notices.hashing import content_hash
from databorder.notices.jsonld import render_jsonld
from databorder.notices.labels import (
    article_label,
    ground_label,
    item_label,
    purpose_label,
    role_label,
    section_label,
)
from databorder.notices.layout import InvalidSnapshotError
from databorder.notices.lists import render_csv, render_json
from databorder.notices.render import render_markdown, render_policy_document, render_policy_html
from databorder.notices.types import Controller, NoticeEntry, NoticeSnapshot, Section

__all__ = [
    "FORMATS",
    "Change",
    "ChangeKind",
    "Controller",
    "InvalidSnapshotError",
    "NoticeDiff",
    "NoticeEntry",
    "NoticeSnapshot",
    "Section",
    "article_label",
    "content_hash",
    "diff",
    "ground_label",
    "item_label",
    "purpose_label",
    "render_all",
    "render_csv",
    "render_diff_html",
    "render_json",
    "render_jsonld",
    "render_markdown",
    "render_policy_document",
    "render_policy_html",
    "role_label",
    "section_label",
]
