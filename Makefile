# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= results/moron

.PHONY: run test lint bench clean gdal-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/siting run --out $(OUT)

# gdaldem (Debian package gdal-bin) is the reference for the terrain accuracy test;
# it is installed when missing and possible, otherwise that test is skipped with the reason.
gdal-tools:
	@command -v gdaldem >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q && apt-get install -y -q gdal-bin) >/dev/null 2>&1 \
	      || echo "note: could not install gdal-bin; the gdaldem comparison will be skipped"; \
	  else echo "note: gdaldem not found (apt-get install gdal-bin); the gdaldem comparison will be skipped"; fi; }

test: $(VENV)/.installed gdal-tools
	$(BIN)/ruff check siting tests benchmarks
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check siting tests benchmarks

bench: $(VENV)/.installed gdal-tools
	$(BIN)/python benchmarks/terrain.py

clean:
	rm -rf $(VENV) results
