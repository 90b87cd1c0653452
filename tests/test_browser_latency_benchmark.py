"""benchmarks/browser_latency.py's own parts that need no browser: reading the machine's CPU pressure."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from browser_latency import cpu_pressure  # noqa: E402


def test_the_cpu_pressure_is_the_kernels_some_avg10(tmp_path):
    """The report says how loaded the machine was; a kernel without pressure stall information gives None."""
    report = tmp_path / "cpu"
    report.write_text("some avg10=12.72 avg60=19.20 avg300=23.63 total=2643091061\n"
                      "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
    assert cpu_pressure(str(report)) == 12.72
    assert cpu_pressure(str(tmp_path / "missing")) is None
    report.write_text("")
    assert cpu_pressure(str(report)) is None
