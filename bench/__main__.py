"""`python -m bench` (make bench): run every benchmark in bench/ and write docs/benchmarks.md.

Each bench module exposes `run(quick: bool) -> dict` returning its figures and a `markdown` key
with its section of the report; this runner adds the machine and the reproduction commands.
"""

import importlib
import os
import platform
import sys
import time
from pathlib import Path

MODULES = (
    "bench_decisions",
    "bench_ledger",
    "bench_c2sp",
    "bench_gateway",
    "bench_notices",
    "bench_privacy_center",
    "bench_flood",
    "bench_dlp",
    "bench_audit",
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; Python {platform.python_version()}; "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    sys.path.insert(0, str(Path(__file__).parent))
    sections = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            print(f"skipping {name}: {exc}")
            continue
        started = time.perf_counter()
        result = module.run(quick=quick)
        print(f"{name}: done in {time.perf_counter() - started:.1f} s")
        sections.append(result["markdown"])
    report = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}.",
        "",
        "Reproduce with `make bench` (all) or `.venv/bin/python bench/<name>.py` (one). "
        "The full-size `databorder sim` runs (8 million buyers, 30 million orders, about 37 "
        "minutes a database) are not part of it: see [scale.md](scale.md).",
        "",
    ]
    report.extend(sections)
    out = Path(__file__).parents[1] / "docs" / "benchmarks.md"
    out.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
