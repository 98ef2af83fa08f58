"""`civicpulse sql`: one read statement on a locked-down connection to the published copy.

Each attack found in issue 12 is replayed through the real command on a copy of the demo city and
must be refused in one line on stderr (exit 2), with nothing read, written or dumped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicpulse.cli import main
from civicpulse.config import Config, load_config
from civicpulse.warehouse.connection import published_path
from civicpulse.warehouse.publish import publish
from tests.conftest import write_project_config


@pytest.fixture(scope="module")
def analyst(city: Config, tmp_path_factory: pytest.TempPathFactory) -> Config:
    """A private copy of the city (warehouse, published copy, demo key file)."""
    root = tmp_path_factory.mktemp("analyst")
    key_file = root / "var" / "pseudonym.key"
    key_file.parent.mkdir(parents=True)
    shutil.copyfile(city.resolve(city.settings.paths.pseudonym_key_file or Path("x")), key_file)
    paths = {
        "warehouse": str(root / "var" / "warehouse" / "civicpulse.duckdb"),
        "landing": str(root / "var" / "landing"),
        "exports": str(root / "var" / "exports"),
        "report": str(root / "var" / "report"),
        "pseudonym_key_file": str(key_file),
    }
    config = load_config(write_project_config(root, paths=paths))
    config.warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(city.warehouse_path, config.warehouse_path)
    publish(config)
    return config


def _sql(config: Config, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config.path), "-q", "sql", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(config: Config, capsys: pytest.CaptureFixture[str], query: str, *expected: str) -> str:
    code, out, err = _sql(config, capsys, query)
    assert code == 2, (query, out, err)
    assert out == "", "nothing is printed on stdout"
    assert err.startswith("civicpulse: error: ") and err.endswith("\n"), err
    assert err.count("\n") == 1, f"one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    for word in expected:
        assert word.lower() in err.lower(), (word, err)
    return err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reading_the_pseudonym_key_is_refused(analyst: Config, capsys: pytest.CaptureFixture[str]) -> None:
    key_file = analyst.resolve(analyst.settings.paths.pseudonym_key_file or Path("x"))
    key = key_file.read_text().strip()
    for reader in ("read_text", "read_blob", "read_csv"):
        err = _refused(analyst, capsys, f"select * from {reader}('{key_file}')", "refused", "pseudonym.key")
        assert key not in err


def test_reading_any_file_is_refused(analyst: Config, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(analyst, capsys, "select * from read_csv('/etc/passwd')", "refused", "/etc/passwd")
    _refused(analyst, capsys, "select * from '/etc/passwd'", "does not exist")  # no file scan to fall back on
    _refused(analyst, capsys, "select * from glob('/etc/*')", "refused")
    _refused(analyst, capsys, "select * from sniff_csv('/etc/passwd')", "refused")


def test_copy_to_the_warehouse_file_is_refused_and_leaves_it_unchanged(
    analyst: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [analyst.warehouse_path, published_path(analyst)]
    before = [_digest(p) for p in files]
    for target in files:
        _refused(analyst, capsys, f"copy (select 1) to '{target}' (format csv)", "refused", "COPY")
    _refused(analyst, capsys, "copy ops.loads from '/etc/passwd'", "refused", "COPY")
    assert [_digest(p) for p in files] == before


def test_export_attach_extensions_and_settings_are_refused(
    analyst: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    dump = tmp_path / "dump_dir"
    _refused(analyst, capsys, f"export database '{dump}'", "refused", "EXPORT")
    assert not dump.exists()
    _refused(analyst, capsys, f"import database '{dump}'", "refused")
    _refused(analyst, capsys, f"attach '{tmp_path / 'other.duckdb'}' as other", "refused", "ATTACH")
    assert not (tmp_path / "other.duckdb").exists()
    _refused(analyst, capsys, "install httpfs", "refused", "LOAD")
    _refused(analyst, capsys, "load httpfs", "refused", "LOAD")
    _refused(analyst, capsys, "set enable_external_access = true", "refused", "SET")
    _refused(analyst, capsys, "set lock_configuration = false", "refused", "SET")
    _refused(analyst, capsys, "pragma profiling_output = '/tmp/profile.json'", "refused")
    _refused(analyst, capsys, "explain analyze create table t as select 1", "refused", "EXPLAIN")


def test_only_one_read_statement(analyst: Config, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(analyst, capsys, "select 1; select 2", "2 statements", "one statement per call")
    _refused(analyst, capsys, "select 1; drop table core.dim_date", "2 statements")
    _refused(analyst, capsys, "insert into ops.loads select * from ops.loads", "refused", "INSERT")
    _refused(analyst, capsys, "delete from marts.cx_scorecard", "refused", "DELETE")
    _refused(analyst, capsys, "create table marts.x as select 1", "refused", "CREATE")
    _refused(analyst, capsys, "checkpoint", "refused")
    _refused(analyst, capsys, "  ;  ", "no SQL statement")


def test_mistakes_get_one_line_naming_the_fix(analyst: Config, capsys: pytest.CaptureFixture[str]) -> None:
    _refused(analyst, capsys, "selec * from core.dim_date", "syntax error", "fix the SQL syntax")
    _refused(analyst, capsys, "select * from core.no_such_table", "no_such_table", "show all tables")
    _refused(analyst, capsys, "select * from raw.contact_call", "contact_call", "show all tables")
    _refused(analyst, capsys, "select nope from core.dim_date", "nope", "describe")


def test_the_published_copy_missing_or_locked(
    analyst: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = load_config(write_project_config(tmp_path))
    code, _out, err = _sql(config, capsys, "select 1")
    assert code == 2 and err.count("\n") == 1 and "does not exist yet" in err and "civicpulse run" in err

    # Another process holds the published copy open for writing (a stuck tool, a BI driver).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.read()",
            str(published_path(analyst)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        code, _out, err = _sql(analyst, capsys, "select 1")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "cannot be opened" in err and "retry" in err


def test_read_statements_work(analyst: Config, capsys: pytest.CaptureFixture[str]) -> None:
    for query in (
        "select count(*) as n from marts.cx_scorecard",
        "with s as (select * from core.dim_service) select count(*) from s",
        "from core.dim_channel",
        "describe core.fact_feedback",
        "show all tables",
        "summarize core.dim_channel",
        "explain select * from core.dim_date",
        "select local_day(now()) as today, wilson_lower(3, 10) as low",
    ):
        code, out, err = _sql(analyst, capsys, query)
        assert code == 0 and out and not err, (query, err)
    code, out, _err = _sql(analyst, capsys, "show all tables")
    assert "raw" not in out.split() and "staging" not in out.split()


def test_csv_output_escapes_quotes_newlines_and_formulas(
    analyst: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = (
        "select '=HYPERLINK(\"http://x\")' as formula, '+1 555' as plus, '-2' as minus_text, "
        "'@SUM(A1)' as at, 'a,b \"quoted\"' || chr(10) || 'next line' as messy, -5 as negative, "
        "null as empty, date '2026-06-01' as day, ['x', 'y'] as list"
    )
    target = tmp_path / "out.csv"
    code, out, err = _sql(analyst, capsys, query, "--format", "csv", "--output", str(target))
    assert code == 0 and out == "" and f"{target}: 1 row(s)" in err
    with target.open(newline="", encoding="utf-8") as handle:
        header, row = list(csv.reader(handle))
    assert header == ["formula", "plus", "minus_text", "at", "messy", "negative", "empty", "day", "list"]
    assert row == [
        '\'=HYPERLINK("http://x")',
        "'+1 555",
        "'-2",
        "'@SUM(A1)",
        'a,b "quoted"\nnext line',
        "-5",
        "",
        "2026-06-01",
        '["x", "y"]',
    ]

    code, out, _err = _sql(
        analyst, capsys, "select service_id from core.dim_service order by 1", "--format", "csv"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0] == "service_id" and len(lines) > 5


def test_json_output_and_table_output_to_a_file(
    analyst: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    query = "select service_id, month_start, csat_responses from marts.cx_scorecard order by all limit 3"
    code, _out, err = _sql(analyst, capsys, query, "--format", "json", "-o", str(target))
    assert code == 0, err
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert len(rows) == 3 and set(rows[0]) == {"service_id", "month_start", "csat_responses"}
    assert isinstance(rows[0]["month_start"], str) and rows[0]["month_start"][:2] == "20"

    code, out, _err = _sql(analyst, capsys, "select 'say \"hi\"' || chr(10) || 'x' as t", "--format", "json")
    assert code == 0 and json.loads(out) == [{"t": 'say "hi"\nx'}]
    code, out, _err = _sql(analyst, capsys, "select 1 as a where false", "--format", "json")
    assert code == 0 and json.loads(out) == []

    table = tmp_path / "out.txt"
    code, _out, _err = _sql(analyst, capsys, "select 42 as answer", "--output", str(table))
    assert code == 0 and "answer" in table.read_text() and "42" in table.read_text()

    code, _out, err = _sql(analyst, capsys, "select 1", "--output", str(tmp_path / "missing" / "x.csv"))
    assert code == 2 and err.count("\n") == 1 and "writable --output" in err


def test_every_reader_is_locked_down(analyst: Config) -> None:
    """status, trends and the report read through warehouse.reader: the same locked connection."""
    import duckdb

    from civicpulse.warehouse.connection import reader

    with reader(analyst) as con:
        assert con.execute("select current_setting('enable_external_access')").fetchone() == (False,)
        assert con.execute("select current_setting('lock_configuration')").fetchone() == (True,)
        assert con.execute("select current_setting('autoload_known_extensions')").fetchone() == (False,)
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_text('/etc/passwd')")
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute("set enable_external_access = true")
        with reader(analyst) as second:  # the same file twice in one process shares the locked instance
            assert second.execute("select current_setting('TimeZone')").fetchone() == ("UTC",)
            assert second.execute("select count(*) from core.dim_service").fetchone() != (0,)
