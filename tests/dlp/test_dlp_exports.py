from types import ModuleType

from databorder import dlp


def test_the_public_names_are_listed_once_and_all_exist():
    assert len(dlp.__all__) == len(set(dlp.__all__))
    public = {
        name
        for name, value in vars(dlp).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert set(dlp.__all__) == public
