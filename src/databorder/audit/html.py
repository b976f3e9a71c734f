"""The audit report as one self-contained HTML page per language (Korean first), for the pack.

The page is read offline, years later, by the privacy officer, the board or the regulator:
no script, no external file, the styles inline, each chart an inline SVG followed by its
table. Words come from the `audit` catalogue; the checks' titles from their definitions;
dates, numbers and country names from Babel.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from databorder.audit.exposure import Exposure
from databorder.audit.pack import CitedLeaf, RecordRow
from databorder.audit.types import AuditReport
from databorder.i18n import (
    LANGUAGES,
    country_name,
    format_date,
    format_datetime,
    format_number,
    translations,
)
from databorder.ledger.signing import SignedHead
from databorder.web import charts

DOMAIN = "audit"
# Findings listed in the page per check; the rest are in findings.csv / findings.json.
LISTED = 200


def N_(message: str) -> str:  # noqa: N802 (Babel's keyword for a msgid translated later)
    return message


# Words the template translates from a value (a severity, a step of the exposure's sum).
VALUE_WORDS = (
    N_("critical"),
    N_("high"),
    N_("medium"),
    N_("low"),
    N_("sum"),
    N_("average"),
    N_("related"),
    N_("ceiling"),
)


@cache
def environment(lang: str) -> Environment:
    """One environment per language (installing translations per render would race threads)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {list(LANGUAGES)}")
    env = Environment(
        loader=PackageLoader("databorder.audit", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang, DOMAIN), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=lambda v: format_number(v, lang),
        when=lambda v: format_datetime(v, lang) if isinstance(v, datetime) else "",
        day=lambda v: format_date(v, lang),
        country=lambda v: country_name(v, lang),
    )
    return env


def _week(at: datetime) -> datetime:
    start = at - timedelta(days=at.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def _series(report: AuditReport) -> list[tuple[datetime, int]]:
    weeks = Counter(_week(f.at) for f in report.findings if f.at is not None)
    return sorted(weeks.items())


def _over_time(points: Sequence[tuple[datetime, int]], title: str, lang: str) -> Markup:
    if not points:
        return Markup("")
    return charts.time_chart(
        [format_date(at, lang) for at, _ in points],
        [(title, [float(n) for _, n in points])],
        title=title,
        format_value=lambda v: format_number(int(v), lang),
    )


def render_report(
    lang: str,
    run_id: str,
    report: AuditReport,
    head: SignedHead,
    leaves: Sequence[CitedLeaf],
    record: Sequence[RecordRow],
    owed: Exposure | None,
    history: Sequence[Mapping[str, Any]],
) -> str:
    gettext = translations(lang, DOMAIN).gettext

    def number(value: float) -> str:
        return format_number(int(value), lang)

    by_article: Counter[str] = Counter()
    for result in report.results:
        by_article[result.check.article] += result.count
    articles = sorted(((a, n) for a, n in by_article.items() if n), key=lambda kv: (-kv[1], kv[0]))
    weekly = _series(report)
    runs = [(datetime.fromisoformat(h["started_at"]), int(h["findings"])) for h in history]
    context = {
        "lang": lang,
        "run_id": run_id,
        "report": report,
        "head": head,
        "leaves": leaves,
        "unproved": [leaf for leaf in leaves if leaf.problem is not None],
        "record": record,
        "exposure": owed,
        "articles": articles,
        "weekly": weekly,
        "runs": runs,
        "listed": LISTED,
        "article_chart": charts.bar_chart(
            [(a, float(n)) for a, n in articles],
            title=gettext("Findings by article"),
            format_value=number,
        )
        if articles
        else Markup(""),
        "weekly_chart": _over_time(weekly, gettext("Findings by week"), lang),
        "runs_chart": _over_time(runs, gettext("Findings in earlier runs"), lang)
        if len(runs) > 1
        else Markup(""),
    }
    return environment(lang).get_template("report.html").render(**context)
