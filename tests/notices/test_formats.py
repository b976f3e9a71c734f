"""Every format at once, for publishing; the package's public names."""

from types import ModuleType

import pytest
from notice_factories import snapshot

from databorder import notices
from databorder.notices import (
    render_all,
    render_csv,
    render_json,
    render_jsonld,
    render_markdown,
    render_policy_document,
    render_policy_html,
)
from databorder.notices.formats import FORMATS, _register


def test_render_all_gives_every_format_in_every_language() -> None:
    out = render_all(snapshot())
    assert set(out) == {
        ("html", "ko"),
        ("html", "en"),
        ("document", "ko"),
        ("document", "en"),
        ("md", "ko"),
        ("md", "en"),
        ("csv", None),
        ("json", None),
        ("jsonld", None),
    }


def test_render_all_says_what_each_renderer_says() -> None:
    s = snapshot()
    out = render_all(s)
    for lang in ("ko", "en"):
        assert out["html", lang] == render_policy_html(s, lang).encode()
        assert out["document", lang] == render_policy_document(s, lang).encode()
        assert out["md", lang] == render_markdown(s, lang).encode()
    assert out["csv", None] == render_csv(s)
    assert out["json", None] == render_json(s)
    assert out["jsonld", None] == render_jsonld(s)


def test_a_format_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="notice format 'csv' is registered twice"):
        _register("csv", "text/csv", localised=False)(FORMATS["csv"].render)


def test_all_lists_exactly_the_public_names() -> None:
    exported = {
        name
        for name, value in vars(notices).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert sorted(notices.__all__) == sorted(exported)
    assert len(notices.__all__) == len(set(notices.__all__))


def test_diff_is_the_function_not_the_module() -> None:
    assert callable(notices.diff)
    assert not isinstance(notices.diff, ModuleType)
