# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= results/moron

.PHONY: run test lint bench clean system-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/siting run --out $(OUT)

# System programs some tests compare against or drive: gdaldem (Debian gdal-bin), the reference
# for the terrain accuracy test, and Chromium, which opens map.html offline. Installed when missing
# and possible; otherwise those tests are skipped with the reason.
system-tools:
	@missing=""; \
	command -v gdaldem >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q && apt-get install -y -q $$missing) >/dev/null 2>&1 \
	      || echo "note: could not install$$missing; the tests that need them will be skipped"; \
	  else echo "note: missing$$missing (apt-get install$$missing); the tests that need them will be skipped"; fi; \
	fi

test: $(VENV)/.installed system-tools
	$(BIN)/ruff check siting tests benchmarks
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check siting tests benchmarks

bench: $(VENV)/.installed system-tools
	$(BIN)/python benchmarks/terrain.py
	$(BIN)/python benchmarks/wind.py
	$(BIN)/python benchmarks/forest.py
	$(BIN)/python benchmarks/cluster.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/tpi.py
	$(BIN)/python benchmarks/cost_curve.py
	$(BIN)/python benchmarks/default_run.py
	$(BIN)/python benchmarks/streaming.py

clean:
	rm -rf $(VENV) results
