"""`databorder dlp scan` over real files, through the installed command."""

import json
import subprocess
import sys
from pathlib import Path

from databorder.dlp.corpus import build


def scan(tmp_path: Path, lines: list[str]) -> tuple[subprocess.CompletedProcess[str], Path]:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "databorder",
            "dlp",
            "scan",
            "--input",
            str(source),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, out


def test_each_line_gets_its_findings_and_redacted_text(tmp_path: Path) -> None:
    corpus = build(21, 40)
    lines = [json.dumps({"id": m.id, "text": m.text}, ensure_ascii=False) for m in corpus]
    result, out = scan(tmp_path, lines)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == [m.id for m in corpus]
    for m, r in zip(corpus, records, strict=True):
        spans = [(f["type"], f["start"], f["end"]) for f in r["findings"]]
        assert spans == [(s.type.value, s.start, s.end) for s in m.spans]
        for s in m.spans:
            assert m.text[s.start : s.end] not in r["redacted"]
    assert "scanning" in result.stderr  # the progress bar


def test_a_bad_line_names_its_row_and_field_and_leaves_no_output(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": "전화 010-2345-6789"})
    result, out = scan(tmp_path, [good, json.dumps({"id": "b", "text": 3})])
    assert result.returncode == 2
    assert "error: row 2, text: expected a string" in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]


def test_a_line_that_is_not_json_is_refused(tmp_path: Path) -> None:
    result, out = scan(tmp_path, ["{not json"])
    assert result.returncode == 2
    assert "row 1, (line): not JSON" in result.stderr
    assert not out.exists()
