"""A report's findings as the files an officer keeps: JSON (`AuditReport.to_json`) and CSV."""

import csv
import io
import json

from databorder.audit.types import AuditReport

CSV_COLUMNS = (
    "check",
    "article",
    "severity",
    "record_kind",
    "record",
    "related_kind",
    "related",
    "leaf_indexes",
    "at",
    "note",
)


def report_json(report: AuditReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def findings_csv(report: AuditReport) -> str:
    """One row per finding; a finding's second record, if any, in the `related` columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in report.results:
        check = result.check
        for f in result.findings:
            record, *related = f.records
            writer.writerow(
                (
                    check.id,
                    check.article,
                    check.severity.value,
                    record.kind,
                    record.id,
                    related[0].kind if related else "",
                    related[0].id if related else "",
                    " ".join(str(i) for i in f.leaf_indexes),
                    f.at.isoformat() if f.at else "",
                    f.note or "",
                )
            )
    return out.getvalue()
