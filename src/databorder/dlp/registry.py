"""The registry of detectors: a name is registered once, or the registration fails.

Two detectors under one name would make a finding's `detector` ambiguous in every log and
report that cites it, and a module imported twice under different paths would silently run
its detectors twice; refusing the second registration surfaces both mistakes at import.
"""

from collections.abc import Callable, Iterable, Iterator

from databorder.dlp.types import DetectFn, Detector, FindingType


class DuplicateDetectorError(ValueError):
    """A detector name was registered a second time."""

    def __init__(self, name: str) -> None:
        super().__init__(f"detector {name!r} is already registered; names must be unique")
        self.name = name


class Registry:
    """Detectors in registration order (the order only matters for reading; overlaps are
    resolved by span length, confidence and type, never by which detector ran first)."""

    def __init__(self) -> None:
        self._detectors: dict[str, Detector] = {}

    def add(self, detector: Detector) -> Detector:
        if detector.name in self._detectors:
            raise DuplicateDetectorError(detector.name)
        if not detector.types:
            raise ValueError(f"detector {detector.name!r} declares no finding types")
        self._detectors[detector.name] = detector
        return detector

    def detector(self, name: str, types: Iterable[FindingType]) -> Callable[[DetectFn], DetectFn]:
        """Decorator: register the function as detector `name` finding `types`."""

        def register(fn: DetectFn) -> DetectFn:
            self.add(Detector(name, frozenset(types), fn))
            return fn

        return register

    def __iter__(self) -> Iterator[Detector]:
        return iter(tuple(self._detectors.values()))

    def __len__(self) -> int:
        return len(self._detectors)

    def names(self) -> tuple[str, ...]:
        return tuple(self._detectors)

    def types(self) -> frozenset[FindingType]:
        return frozenset(t for d in self._detectors.values() for t in d.types)
