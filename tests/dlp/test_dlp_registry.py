import pytest

from databorder.dlp.engine import default_registry
from databorder.dlp.registry import DuplicateDetectorError, Registry
from databorder.dlp.types import Detector, FindingType


def test_a_detector_name_registered_twice_is_refused():
    registry = Registry()
    registry.add(Detector("x", frozenset({FindingType.EMAIL}), lambda _v: ()))
    with pytest.raises(DuplicateDetectorError, match="'x' is already registered"):
        registry.add(Detector("x", frozenset({FindingType.PHONE}), lambda _v: ()))
    assert registry.names() == ("x",)


def test_the_decorator_refuses_a_duplicate_too():
    registry = Registry()
    registry.detector("y", [FindingType.EMAIL])(lambda _v: ())
    with pytest.raises(DuplicateDetectorError):
        registry.detector("y", [FindingType.EMAIL])(lambda _v: ())


def test_a_detector_without_types_is_refused():
    with pytest.raises(ValueError, match="declares no finding types"):
        Registry().add(Detector("z", frozenset(), lambda _v: ()))


def test_the_default_registry_covers_every_type():
    assert default_registry().types() == frozenset(FindingType)
