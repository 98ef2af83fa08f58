# civicpulse: `make demo` (set-up and a full demo run) and `make test` are all a new user needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__LOGGING__LOGGING_LEVEL := WARNING
export CIVICPULSE_CONFIG := $(CURDIR)/civicpulse.yml

DEMO_START := 2026-05-01
DEMO_DAYS := 120
DEMO_END := 2026-08-29
DEMO_EXPORTS := var/demo-exports
# `make airflow`: Airflow for real, in its own AIRFLOW_HOME (the demo's `dags test` uses .airflow above).
AIRFLOW_PROD_HOME ?= $(CURDIR)/var/airflow-prod
AIRFLOW_PORT ?= 8080

.PHONY: install airflow-init airflow demo demo-data test test-slow lint typecheck sqlfluff check bench eval themes-model theme-shapes clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --constraint constraints.txt --editable '.[dev]'
	$(BIN)/python -m compileall -q -j 0 civicpulse transforms connectors dags bench evaluation > /dev/null
	touch $@

install: $(VENV)/.installed

airflow-init: install
	$(BIN)/airflow db migrate > /dev/null
	$(BIN)/airflow pools set duckdb_writer 1 "civicpulse: DuckDB allows one writer at a time" > /dev/null

# api-server on 127.0.0.1, scheduler (LocalExecutor) and dag-processor until Ctrl-C; see docs/airflow.md.
airflow: install
	PATH="$(BIN):$$PATH" CIVICPULSE_AIRFLOW_HOME="$(AIRFLOW_PROD_HOME)" CIVICPULSE_AIRFLOW_PORT="$(AIRFLOW_PORT)" \
		$(BIN)/python -m civicpulse.airflow_local

demo-data: install
	rm -rf $(DEMO_EXPORTS)
	$(BIN)/civicpulse demo-data --out $(DEMO_EXPORTS) --start $(DEMO_START) --days $(DEMO_DAYS)

demo: airflow-init demo-data
	@echo "== running the nightly DAG through Airflow for $(DEMO_START) .. $(DEMO_END) (exclusive) =="
	@mkdir -p var/logs
	$(BIN)/airflow dags test civicpulse_nightly $(DEMO_END) \
		-c '{"start": "$(DEMO_START)", "end": "$(DEMO_END)"}' > var/logs/demo-dag.log 2>&1 \
		|| { tail -n 60 var/logs/demo-dag.log; echo "DAG run failed: full log in var/logs/demo-dag.log"; exit 1; }
	@echo "== loads per source (ops.loads) =="
	$(BIN)/civicpulse --quiet status
	@echo "== weekly sentiment and top themes per service =="
	$(BIN)/civicpulse --quiet trends --weeks 18
	@echo "== the CX report (written by the DAG's last task) =="
	@echo "report: $(CURDIR)/var/report/index.html (data dictionary: var/report/warehouse.html)"
	@echo "Warehouse: var/warehouse/civicpulse.duckdb (read-only copy: civicpulse sql \"select ...\")"

test: install
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=8 -m "not slow"  # two workers on 2 cores; a file stays on one worker

# The slow suites: the crash suite and Airflow's real scheduler (a triggered run, a backfill); .ci/run runs both.
test-slow: install
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=8 -m slow

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

sqlfluff: install
	$(BIN)/sqlfluff lint sql

check: lint typecheck sqlfluff

bench: install
	$(BIN)/python -m bench --days 28 --scale 1 --big-scale 16 --big-days 7 --history 30,120,365 --history-scale 0.25

# The committed theme model, rebuilt bit-for-bit from the development labels and ../shared texts
# (tests/transforms/test_theme_model.py checks that the committed file is what this writes).
themes-model: install
	$(BIN)/python -m evaluation.build_theme_model

# After a change to transforms/themes.py or config/themes.yml (tests/transforms/test_themes.py says when).
theme-shapes: install
	$(BIN)/python -m transforms.themes

eval: install
	$(BIN)/python -m evaluation

clean:
	rm -rf var .airflow .pytest_cache .mypy_cache .ruff_cache
