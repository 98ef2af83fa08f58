"""civicpulse command line: every pipeline step without Airflow, the demo data, SQL and trends."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from civicpulse.config import Config, ConfigError, config_path, load_config

if TYPE_CHECKING:
    from civicpulse.loader import LoadResult


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date like 2026-05-01") from None


def _interval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", type=_date, required=True, help="first day (YYYY-MM-DD)")
    parser.add_argument(
        "--end", type=_date, required=True, help="day after the last day (exclusive, as Airflow)"
    )


# Commands that read the published copy: the config is validated as far as they use it (sql: the
# warehouse path only; no connector is loaded), so they start fast. The others validate it all first.
READ_ONLY_COMMANDS = ("sql", "status", "trends")


class _Progress:
    """Prints progress of long steps at most every two seconds."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last > 2:
            self._last = now
            print(f"  {step}: {done:,}/{total:,}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civicpulse", description=__doc__)
    parser.add_argument(
        "--config", help="path to civicpulse.yml (default: $CIVICPULSE_CONFIG or ./civicpulse.yml)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="extract every source, load, build models and marts for an interval"
    )
    _interval(run)

    extract = commands.add_parser("extract", help="extract one source into landing for an interval")
    extract.add_argument("--source", required=True)
    _interval(extract)

    load = commands.add_parser("load", help="load landed files into the warehouse (the single writer)")
    load.add_argument("--source", action="append", help="only this source (repeatable)")
    _interval(load)

    build = commands.add_parser(
        "build", help="rebuild staging, core and marts and publish the read-only copy (when anything changed)"
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="rebuild and publish even when nothing changed since the last build",
    )

    demo = commands.add_parser("demo-data", help="generate the demo city's vendor exports")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--start", type=_date, default=dt.date(2026, 5, 1))
    demo.add_argument("--days", type=int, default=120)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument(
        "--city",
        choices=("riverton", "lakeshore"),
        default="riverton",
        help="which demo city (lakeshore: the second city, other services, calendar and planted events)",
    )

    sql = commands.add_parser(
        "sql",
        help="run one read statement (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) on the published "
        "warehouse; no file, network or extension access",
    )
    sql.add_argument("query")
    sql.add_argument("--max-rows", type=int, default=100, help="rows shown by --format table")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("-o", "--output", type=Path, help="write the result to this file instead of stdout")

    trends = commands.add_parser("trends", help="print weekly sentiment and top themes per service")
    trends.add_argument("--weeks", type=int, default=8)
    trends.add_argument("--service", action="append")

    commands.add_parser("status", help="print load status per source (freshness, rows, quarantine)")

    cursors = commands.add_parser("cursors", help="list incremental API cursors, or reset one source's")
    cursors.add_argument(
        "--reset", metavar="SOURCE", help="forget SOURCE's cursor: next extract goes by time"
    )

    commands.add_parser("check-config", help="validate the configuration and exit")

    respond = commands.add_parser(
        "respond", help="record a reply to a resident: removes the feedback from the close-the-loop queue"
    )
    respond.add_argument("--feedback-id", required=True, help="from marts.close_the_loop or the report")
    respond.add_argument("--note", required=True, help="what was answered, and where")
    respond.add_argument("--by", help="who responded (name or team)")
    respond.add_argument("--channel", help="how: x, mastodon, phone, email, letter ...")

    commands.add_parser("report", help="write the static HTML CX report and the data dictionary")

    score = commands.add_parser(
        "score", help="score a CSV, TSV or JSONL file of texts (sentiment, themes, urgency); no warehouse"
    )
    score.add_argument("input", type=Path)
    score.add_argument("-o", "--output", type=Path, required=True, help=".csv, .tsv or .jsonl")
    score.add_argument("--text-column", help="column holding the text (default: text, comment, body, ...)")
    score.add_argument("--service-column", help="column holding a service id (service-specific theme terms)")
    score.add_argument("--themes", type=Path, help="theme taxonomy (default: config/themes.yml)")
    score.add_argument(
        "--no-redact",
        action="store_true",
        help="write texts as read (by default emails, phones, addresses ... become [EMAIL], [PHONE] ...)",
    )

    rotate = commands.add_parser(
        "rotate-key",
        help="re-key every pseudonym in the warehouse from the current key to a new one, then republish",
    )
    rotate.add_argument(
        "--new-key-env", required=True, metavar="VAR", help="environment variable holding the new key"
    )
    rotate.add_argument(
        "--keep-unmatched-erasures",
        action="store_true",
        help="keep erased people's pseudonyms that match no id any more unchanged instead of refusing",
    )

    forget = commands.add_parser(
        "forget", help="erase one person's records from every layer and landing file (logged without the id)"
    )
    forget.add_argument("--source", required=True, help="the configured source the person wrote or called in")
    forget.add_argument("--author", required=True, help="their id in that source: handle, author id, caller")
    _themes_commands(commands)
    return parser


# --- themes: a city's tuning loop (civicpulse/theme_tuning.py) ---
def _themes_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    themes = commands.add_parser("themes", help="tune the themes for this city: sample, eval, train")
    steps = themes.add_subparsers(dest="themes_command", required=True)
    sample = steps.add_parser(
        "sample", help="write warehouse texts to label (by service and channel, uncertain first)"
    )
    sample.add_argument("--n", type=int, default=200)
    sample.add_argument("--out", type=Path, default=Path("themes_to_label.jsonl"))
    evaluate = steps.add_parser("eval", help="per-theme precision and recall on labelled texts")
    evaluate.add_argument("--labels", type=Path, required=True)
    train = steps.add_parser("train", help="refit the theme model on labelled texts")
    train.add_argument("--labels", type=Path, required=True)
    train.add_argument("--out", type=Path, help="model file (default: the model: path in the taxonomy)")


def _themes(config: Config, args: argparse.Namespace) -> int:
    from civicpulse import theme_tuning
    from transforms.themes import Taxonomy

    taxonomy = Taxonomy.load(config.themes_path)
    known = frozenset(t.theme_id for t in taxonomy.themes)
    if args.themes_command == "sample":
        from civicpulse.warehouse.connection import reader

        with reader(config) as con:
            records = theme_tuning.sample(con, taxonomy, args.n)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        print(f'{args.out}: {len(records)} texts to label (fill in "themes"; docs/themes.md has the guide)')
    elif args.themes_command == "eval":
        print(theme_tuning.evaluate(taxonomy, theme_tuning.read_labels(args.labels, known)))
    else:
        out, model = theme_tuning.refit(
            config.themes_path, theme_tuning.read_labels(args.labels, known), args.out
        )
        print(f"{out}: model {model['version']} ({', '.join(model['themes'])})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    try:
        return _dispatch(args)
    except (ConfigError, FileNotFoundError, ValueError) as exc:
        print(f"civicpulse: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from civicpulse.pipeline import SourceFailures
        from civicpulse.quality_worker import QualityWorkerError
        from civicpulse.sources import FileProblem
        from civicpulse.warehouse.connection import WarehouseLocked

        if isinstance(exc, SourceFailures | FileProblem | WarehouseLocked | QualityWorkerError):
            print(f"civicpulse: error: {exc}", file=sys.stderr)
            return 1
        raise


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo-data":
        return _demo_data(args)
    if args.command == "score":
        return _score(args)
    config = load_config(args.config, light=args.command in READ_ONLY_COMMANDS)
    if args.command == "themes":
        return _themes(config, args)
    if args.command == "check-config":
        problems = _config_problems(config)
        for problem in problems:
            print(f"civicpulse: error: {problem}", file=sys.stderr)
        if problems:
            return 2
        print(f"{config.path}: ok ({len(config.services)} services, {len(config.sources)} sources)")
        return 0
    if args.command == "sql":
        return _sql(config, args)
    if args.command == "cursors":
        return _cursors(config, args.reset)
    if args.command == "status":
        from civicpulse.status import render_status
        from civicpulse.warehouse.connection import reader

        with reader(config) as con:
            print(render_status(con, config.stale_after_days()))
        return 0
    if args.command == "respond":
        from civicpulse.responses import record_response

        recorded = record_response(config, args.feedback_id, args.note, args.by, args.channel)
        print(
            f"recorded a response to {recorded.feedback_id}; "
            f"{recorded.open_items} item(s) still open for {recorded.service_id}"
        )
        return 0
    if args.command == "report":
        from civicpulse.report import write_report

        print(f"report: {write_report(config)}")
        return 0
    if args.command == "rotate-key":
        from civicpulse.rotation import rotate_key

        print(rotate_key(config, args.new_key_env, keep_unmatched_erasures=args.keep_unmatched_erasures))
        return 0
    if args.command == "forget":
        from civicpulse.erasure import forget

        print(forget(config, args.source, args.author))
        return 0
    if args.command == "trends":
        known = {s.id for s in config.services}
        unknown = sorted(set(args.service or ()) - known)
        if unknown:
            raise ValueError(
                f"unknown service(s) {', '.join(unknown)}: use a service id of {config.path} "
                f"({', '.join(sorted(known))})"
            )
        from civicpulse.trends import render_trends
        from civicpulse.warehouse.connection import reader

        with reader(config) as con:
            print(render_trends(con, args.weeks, args.service))
        return 0

    from civicpulse import pipeline

    if args.command == "extract":
        print(pipeline.extract(config, args.source, args.start, args.end))
    elif args.command == "load":
        results = pipeline.load(config, args.start, args.end, args.source)
        print(
            f"loaded {len(results)} (source, day) partitions, {sum(r.rows_loaded for r in results):,} rows"
            f"{_unused_summary(results)}"
        )
    elif args.command == "build":
        if not pipeline.build(config, _Progress(), full=args.full):
            print("nothing changed since the last build: the published copy is current (--full rebuilds)")
    elif args.command == "run":
        summary = pipeline.run_interval(config, args.start, args.end, _Progress())
        rows = sum(r.rows_loaded for r in summary.loads)
        quarantined = sum(r.rows_quarantined for r in summary.loads)
        print(
            f"run {args.start}..{args.end}: {rows:,} rows loaded, {quarantined:,} quarantined"
            f"{_unused_summary(summary.loads)}"
        )
    return 0


def _unused_summary(results: list[LoadResult]) -> str:
    """The export fields the load left out, one line per source and field (ops.unused_fields)."""
    from civicpulse.unused_fields import grouped

    sources = sorted({r.source for r in results if r.unused_fields})
    fields = [
        f"{source}: {line}"
        for source in sources
        for line in grouped(f for r in results if r.source == source for f in r.unused_fields)
    ]
    if not fields:
        return ""
    lines = "".join(f"\n  - {line}" for line in fields)
    return f"; {len(fields)} export field(s) not loaded (ops.unused_fields, civicpulse status):{lines}"


def _config_problems(config: Config) -> list[str]:
    """What `check-config` finds beyond the schema: connectors that do not exist, inboxes that are missing."""
    from civicpulse.sources import load_connector

    problems = []
    for index, source in enumerate(config.sources):
        where = f"{config.path}: sources.{index}"
        try:
            load_connector(source.connector)
        except ValueError as exc:
            problems.append(f"{where}.connector: {exc}; see docs/connectors.md for the connectors")
        if source.mode == "file" and not config.inbox(source).is_dir():
            problems.append(
                f"{where}.inbox: folder {config.inbox(source)} does not exist; create it or fix the path"
            )
    return problems


def _sql(config: Config, args: argparse.Namespace) -> int:
    from civicpulse.analyst import run_query
    from civicpulse.warehouse.connection import reader

    with reader(config) as con:
        try:
            rows = run_query(con, args.query, args.format, args.output, args.max_rows)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            sys.stderr.close()
            return 0
    if args.output:
        print(f"{args.output}: {rows:,} row(s)", file=sys.stderr)
    return 0


def _score(args: argparse.Namespace) -> int:
    from transforms.score_file import score_file
    from transforms.themes import DEFAULT_TAXONOMY_PATH

    summary = score_file(
        args.input,
        args.output,
        text_column=args.text_column,
        service_column=args.service_column,
        themes_path=args.themes or DEFAULT_TAXONOMY_PATH,
        redact=not args.no_redact,
        account_patterns=() if args.no_redact else _account_patterns(args.config),
    )
    print(f"{args.output}: {summary}")
    return 0


def _account_patterns(config_arg: str | None) -> tuple[str, ...]:
    """The config's account number formats for `score`, which runs without a config too."""
    if not config_path(config_arg).is_file():
        return ()
    return tuple(load_config(config_arg).settings.privacy.account_patterns)


def _cursors(config: Config, reset: str | None) -> int:
    from civicpulse.state import list_cursors, reset_cursor
    from civicpulse.warehouse.connection import writer

    with writer(config) as con:
        if reset:
            config.source(reset)
            reset_cursor(con, config.landing_path, reset)
            print(f"{reset}: cursor reset; its next extract fetches its interval by time")
            return 0
        rows = list_cursors(con)
    if not rows:
        print("No cursors: no API-mode source has loaded yet.")
    for source, connector, through, cursor, updated_at in rows:
        print(
            f"{source:<20} {connector:<12} through {through:%Y-%m-%d %H:%M}  {cursor}  "
            f"(updated {updated_at:%Y-%m-%d %H:%M})"
        )
    return 0


def _demo_data(args: argparse.Namespace) -> int:
    from civicpulse.demo import generate
    from civicpulse.pseudonym_key import ensure_demo_key

    summary = generate(
        args.out, start=args.start, days=args.days, seed=args.seed, scale=args.scale, city=args.city
    )
    print(summary)
    if config_path(args.config).is_file():
        try:
            key = ensure_demo_key(load_config(args.config))
        except ConfigError:
            key = None
        if key:
            print(f"demo pseudonymisation key: {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
