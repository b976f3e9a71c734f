"""The web package's public names are listed once, and are what it exports."""

import databorder.web


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(databorder.web).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", "") == "databorder.web"
    }
    assert set(databorder.web.__all__) == public == {"install"}
