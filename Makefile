# Two commands on a fresh machine: `make run` (install, start the app) and `make test`
# (install, lint, run every test). Both create .venv when it is missing.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# One torch thread per process: on 2 cores, a second busy process makes multi-threaded
# kernels spin against each other (measured: a 0.8 s sweep took 6 s).
export OMP_NUM_THREADS ?= 1

.PHONY: run test install install-dev browser lint clean

run: install
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

# worksteal: the workers take tests (not whole files) and steal each other's queue, so the long browser
# tests of one file do not leave a core idle. One worker more than the cores, at least three: a browser
# test spends much of its time waiting for its page (server, chromium), and the extra worker fills those
# waits (measured on 2 cores, 2026-11-27: 2 workers 390-417 s, 3 workers 305 s, 4 workers 305 s).
WORKERS ?= $(shell python3 -c "import os; print(max(3, len(os.sched_getaffinity(0)) + 1))")
test: install-dev browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(WORKERS) --dist worksteal

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(PY):
	python3 -m venv $(VENV)

# pip compiles every module it installs to bytecode, one file after another: 75 s of a fresh
# `make test` install's 122 s here. Installed without that, then compiled on every core, leaving out
# what no process of the app or its tests imports (packages' own test suites, transformers' hundreds of
# model folders: the few the explorer builds compile when imported, a fraction of a second): 80 s in all
# (2026-11-28). PIP_INSTALL and COMPILE are used together, by both installs.
PIP_INSTALL := $(PY) -m pip install -q --no-compile
COMPILE := $(PY) -m compileall -q -j0 -x '/tests/|/testing/_internal/|/transformers/models/' $(VENV)/lib

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	$(COMPILE)
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	$(COMPILE)
	touch $@ $(VENV)/.installed

# The real-browser tests drive Debian's chromium; install it when missing (needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

lint:
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
