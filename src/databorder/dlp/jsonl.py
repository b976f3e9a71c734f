"""One line of `databorder dlp scan`: `{"id", "text"}` in, findings and the redacted text out.

Pure (a string in, a string out) so the command only streams lines through it, and a bad line
is refused with its line number and field before anything is written for it.
"""

import json
from typing import Any

from databorder.dlp.engine import scan
from databorder.dlp.redact import redact
from databorder.errors import FieldProblem, InvalidInput


def _problem(line_no: int, field: str, reason: str) -> InvalidInput:
    return InvalidInput([FieldProblem(field, reason, line_no)])


def scan_line(line: str, line_no: int) -> str:
    """The output line (JSON, no newline) for one input line, or InvalidInput naming the field."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _problem(line_no, "(line)", f"not JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(record, dict):
        raise _problem(line_no, "(line)", f"expected an object, got {type(record).__name__}")
    ident, text = record.get("id"), record.get("text")
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        raise _problem(line_no, "id", "expected a string or an integer")
    if not isinstance(text, str):
        raise _problem(line_no, "text", "expected a string")
    findings = scan(text)
    return json.dumps(
        {
            "id": ident,
            "findings": [
                {
                    "type": f.type.value,
                    "start": f.start,
                    "end": f.end,
                    "confidence": f.confidence,
                    "detector": f.detector,
                }
                for f in findings
            ],
            "redacted": redact(text, findings),
        },
        ensure_ascii=False,
    )
