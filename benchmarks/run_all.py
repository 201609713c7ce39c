"""Run every benchmark (`benchmarks/bench_*.py`) in turn and print what each prints: `make bench`.

Each runs in its own process with this Python, from the repository root, so one benchmark's
imports, settings or database cannot change another's figures. Exits non-zero if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS.parent


def main() -> int:
    scripts = sorted(BENCHMARKS.glob("bench_*.py"))
    if not scripts:
        print("No benchmarks found (benchmarks/bench_*.py).")
        return 1
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=REPO_ROOT, check=False)  # noqa: S603 -- our own scripts
        elapsed = time.perf_counter() - started
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"--- {script.name}: {status} in {elapsed:.1f} s", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    print(f"\n{len(scripts) - len(failed)} of {len(scripts)} benchmarks finished.")
    if failed:
        print("Failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
