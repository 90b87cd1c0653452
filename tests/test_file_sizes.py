"""Small modules with one job (issue 13): no Python file of the project runs past MAX_LINES. A file
that grows past it is split by concern, as tests/test_models.py into tests/test_nanogpt.py was."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 300
FOLDERS = ("core", "app_pages", "ui", "tests", "benchmarks")


def test_no_python_file_is_over_the_line_limit():
    files = [ROOT / "app.py", *(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))]
    assert len(files) > 100
    longer = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not longer, longer
