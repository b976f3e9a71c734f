"""The message filter: detectors of personal data in free text, and their redaction.

Pure: `scan(text)` returns the findings (type, code-point span, confidence, detector, why);
`redact(text, findings, replace)` splices in what the reader may see. See docs/dlp.md.
"""

from databorder.dlp.engine import default_registry, resolve, scan
from databorder.dlp.redact import redact, tag
from databorder.dlp.registry import DuplicateDetectorError, Registry
from databorder.dlp.types import Detector, Finding, FindingType

__all__ = [
    "Detector",
    "DuplicateDetectorError",
    "Finding",
    "FindingType",
    "Registry",
    "default_registry",
    "redact",
    "resolve",
    "scan",
    "tag",
]
