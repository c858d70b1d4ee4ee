"""`import bookenrich` is fast and imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

LIMIT_SECONDS = 0.1  # the bound: well under 100 ms
RUNS = 5


def import_cpu_seconds(module: str) -> float:
    """The least CPU time, over a few fresh interpreters, that importing `module` takes.

    CPU time rather than wall-clock time, and the best of several runs, so a loaded machine
    (parallel builds) does not make the measure about the machine instead of the import.
    """
    code = f"import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
    samples = []
    for _ in range(RUNS):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
        samples.append(float(run.stdout))
    return min(samples)


def test_import_bookenrich_is_fast() -> None:
    assert import_cpu_seconds("bookenrich") < LIMIT_SECONDS


def test_import_compat_is_fast() -> None:
    assert import_cpu_seconds("bookenrich.compat") < LIMIT_SECONDS


def test_import_pulls_in_no_heavy_module() -> None:
    heavy = ["asyncio", "bookenrich.compat", "bookenrich._aio", "json", "logging", "dataclasses", "uuid", "typing"]
    run = subprocess.run(
        [sys.executable, "-c", f"import sys, bookenrich; print([m for m in {heavy!r} if m in sys.modules])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip() == "[]"
