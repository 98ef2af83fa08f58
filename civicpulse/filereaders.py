"""Reading vendor export files for file-mode connectors.

CSV and JSON loading that names the file, line and fix for every problem, plus the value parsers
connectors share. A value that cannot be used raises `BadValue`; `to_record` turns it into a
`RowProblem` and checks every record against its landing stream before it is yielded.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from civicpulse.sources import FileProblem, ParsedRow, Record, RowProblem, day_of
from civicpulse.streams import get_stream

UTF8_FIX = "re-export the file as UTF-8 (in Excel: Save As 'CSV UTF-8')"
TRUNCATED_FIX = "the file was cut off in transfer; copy or download the complete export again"
EMPTY_FIX = "re-export or copy the file again; an export with no rows still has its header"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = "\ufeff"
INT64_MAX = 2**63 - 1
CSV_FIELD_LIMIT = 2**31 - 1


class BadValue(ValueError):
    """A value that makes a row unusable; the message is the reason shown in quarantine."""


_Day = TypeVar("_Day", bound=dt.date)
_T = TypeVar("_T")
# The first date or time the shared parsers read while `read_row` reads a row: its stream's time
# column, which every connector reads first. A row rejected after it is read is filed under its day.
_row_times: ContextVar[list[dt.date] | None] = ContextVar("row_times", default=None)


def row_date(value: _Day) -> _Day:
    """`value`, noted as the date of the row being read when it is the first one: a row rejected after
    it is filed under its day. For a connector that reads or knows a row's date without the shared
    readers below."""
    times = _row_times.get()
    if times is not None and not times:
        times.append(value)
    return value


@dataclass(frozen=True)
class _CsvRecord:
    line: int
    fields: list[str]
    raw: str


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    raw: str


@dataclass(frozen=True)
class CsvFile:
    path: Path
    header: tuple[str, ...]
    rows: tuple[CsvRow | RowProblem, ...]

    def require(self, columns: Iterable[str], fix: str) -> None:
        missing = [column for column in columns if column not in self.header]
        if missing:
            found = ", ".join(self.header)
            raise FileProblem(
                self.path,
                f"the header lacks required column(s) {', '.join(missing)} (found: {found:.300})",
                fix,
                line=1,
            )

    def records(self, stream: str, build: Callable[..., dict[str, Any]], *args: Any) -> Iterator[ParsedRow]:
        """Good rows built by `build(row_values, *args)` and checked by `to_record`; bad rows as they are."""
        for row in self.rows:
            if isinstance(row, RowProblem):
                yield row
            else:
                yield to_record(stream, self.path, row.line, row.raw, build, row.values, *args)


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(
            path, f"the file cannot be read ({exc.strerror})", "check it exists and is readable"
        ) from exc
    if not data.lstrip(UTF8_BOM.encode()).strip():
        raise FileProblem(path, "the file is empty", EMPTY_FIX)
    if data.startswith(UTF16_BOMS):
        raise FileProblem(
            path, "the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8", UTF8_FIX, 1
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        problem = "the file has a NUL byte: it is UTF-16 or binary (a spreadsheet?), not UTF-8 text"
        raise FileProblem(path, problem, UTF8_FIX, line=len(data[: nul + 1].splitlines()))
    return data


def read_csv(path: Path, data: bytes | None = None) -> CsvFile:
    """Parse a whole CSV file; its header is the first line and each row knows its first physical line.

    `data` is the file's content when it does not sit on disk under `path` (a member of an archive).
    """
    lines = _decoded_lines(path, read_bytes(path) if data is None else data)
    records = _parse_records(path, lines)
    if not records:
        raise FileProblem(path, "the file has no header line", EMPTY_FIX)
    first = records[0]
    if isinstance(first, RowProblem):
        raise FileProblem(path, f"the header line cannot be read ({first.reason})", UTF8_FIX, line=1)
    header = tuple(name.strip() for name in first.fields)
    _reject_truncated_last_row(path, lines, header, records[-1])
    return CsvFile(path, header, tuple(_to_row(path, header, record) for record in records[1:]))


def _decoded_lines(path: Path, data: bytes) -> list[str]:
    """Physical lines with their endings; undecodable bytes become lone surrogates (rejected per row)."""
    lines: list[str] = []
    undecodable_line = 0
    any_utf8_beyond_ascii = False
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text = raw.decode("utf-8").removeprefix(UTF8_BOM)
            any_utf8_beyond_ascii = any_utf8_beyond_ascii or not text.isascii()
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "surrogateescape").removeprefix(UTF8_BOM)
            undecodable_line = undecodable_line or number
        lines.append(text)
    if undecodable_line and (undecodable_line == 1 or not any_utf8_beyond_ascii):
        raise FileProblem(
            path,
            "the file is not UTF-8 (it looks like Windows-1252 or Latin-1)",
            UTF8_FIX,
            line=undecodable_line,
        )
    return lines


def _parse_records(path: Path, lines: list[str]) -> list[_CsvRecord | RowProblem]:
    # The csv module's default limit (128 KiB a field) would split an over-long field into rows that make
    # no sense; the field is read whole and its row quarantined as over-long by the stream's check.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(iter(lines), strict=True)
    records: list[_CsvRecord | RowProblem] = []
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return records
        except csv.Error as exc:
            if reader.line_num >= len(lines) and "end of data" in str(exc):
                problem = f"the file ends inside a quoted field that starts at line {start}"
                raise FileProblem(path, problem, TRUNCATED_FIX, start) from exc
            reason = (
                f"the row is not valid CSV ({exc}); a field with quotes must be quoted and its quotes doubled"
            )
            records.append(RowProblem(str(path), start, reason, _raw_text(lines, start, reader.line_num)))
        else:
            if any(field.strip() for field in fields):
                records.append(_CsvRecord(start, fields, _raw_text(lines, start, reader.line_num)))
        start = reader.line_num + 1


def _raw_text(lines: list[str], first: int, last: int) -> str:
    return _storable("".join(lines[first - 1 : last]).rstrip("\r\n"))


def _reject_truncated_last_row(
    path: Path, lines: list[str], header: tuple[str, ...], last: _CsvRecord | RowProblem
) -> None:
    if isinstance(last, RowProblem) or last.line == 1 or lines[-1].endswith(("\n", "\r")):
        return
    if len(last.fields) < len(header):
        raise FileProblem(
            path,
            f"the last row has {len(last.fields)} of {len(header)} fields and no line break (truncated)",
            TRUNCATED_FIX,
            line=last.line,
        )


def _to_row(path: Path, header: tuple[str, ...], record: _CsvRecord | RowProblem) -> CsvRow | RowProblem:
    if isinstance(record, RowProblem):
        return record
    if len(record.fields) != len(header):
        reason = (
            f"the row has {len(record.fields)} fields but the header has {len(header)}; "
            "a field with a comma or line break is probably missing its quotes"
        )
        return RowProblem(str(path), record.line, reason, record.raw)
    if not all(_is_storable(field) for field in record.fields):
        return RowProblem(
            str(path), record.line, f"the row has bytes that are not valid UTF-8; {UTF8_FIX}", record.raw
        )
    return CsvRow(record.line, dict(zip(header, record.fields, strict=True)), record.raw)


def _is_storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def load_json(path: Path, expected: str) -> Any:
    """Load a JSON document; `expected` describes what the file should be, for the fix."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(path, "the file is not UTF-8 (JSON must be UTF-8)", UTF8_FIX, line) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise FileProblem(
                path, f"the JSON ends before it is complete ({where})", TRUNCATED_FIX, exc.lineno
            ) from exc
        fix = f"the file must be {expected}, saved unchanged"
        raise FileProblem(path, f"the file is not valid JSON: {exc.msg} at {where}", fix, exc.lineno) from exc


def data_items(origin: Path | str, page: Any, vendor: str, fix: str) -> list[Any]:
    """The `data` list of an API page `{"data": [...]}`; an error page or another shape is a FileProblem."""
    if isinstance(page, dict) and "error" in page:
        error = page["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise FileProblem(origin, f"the page is a {vendor} error response ({message})", "request it again")
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise FileProblem(origin, "the page has no 'data' list", fix)
    return data


def json_raw(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def to_record(
    stream: str,
    path: Path | str,
    line: int,
    raw: str | Callable[[], str],
    build: Callable[..., dict[str, Any]],
    *args: Any,
) -> ParsedRow:
    """The record `build(*args)` makes, or a RowProblem if it raises BadValue or the stream rejects it.

    `raw` is the row's raw text, or a function that makes it (`partial(json_raw, item)`): called only
    for a row that is quarantined."""
    values = read_row(path, line, raw, build, *args)
    if isinstance(values, RowProblem):
        return values
    checked = get_stream(stream)
    problem = checked.conform(values) or _nul_problem(values)
    if problem:
        return RowProblem(str(path), line, problem, _text(raw), day_of(values.get(checked.time_column)))
    return Record(stream, values, str(path), line, conformed=True)


def read_row(
    path: Path | str, line: int, raw: str | Callable[[], str], build: Callable[..., _T], *args: Any
) -> _T | RowProblem:
    """What `build(*args)` reads of a row, or a RowProblem if it raises BadValue: filed under the first
    date `build` read (`row_date`), if any."""
    times: list[dt.date] = []
    building = _row_times.set(times)
    try:
        return build(*args)
    except BadValue as exc:
        return RowProblem(str(path), line, str(exc), _text(raw), day_of(times[0]) if times else None)
    finally:
        _row_times.reset(building)


def _text(raw: str | Callable[[], str]) -> str:
    return raw if isinstance(raw, str) else raw()


def _nul_problem(values: dict[str, Any]) -> str | None:
    for column, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            return f"{column} holds a NUL character (binary data in a text field); fix the export's {column}"
    return None


def optional_text(value: str | None, column: str = "a text field") -> str | None:
    """The text without surrounding blanks and with Windows line breaks as '\\n'; None when blank."""
    if value is not None and not isinstance(value, str):
        # A JSON number, list or object where the vendor's format has text.
        raise BadValue(f"{column} is {type(value).__name__} {value!r:.80}, not text")
    stripped = (value or "").strip().replace("\r\n", "\n")
    return stripped or None


def required_text(value: str | None, column: str) -> str:
    text = optional_text(value, column)
    if text is None:
        raise BadValue(f"{column} is empty")
    return text


def json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadValue(f"the {what} is not a JSON object")
    return value


def json_id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise BadValue(f"the {what} has no id")
    return str(value).strip()


def json_count(value: Any, column: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadValue(f"{column} is {value!r}, not a count")
    return value


def whole_number(value: str, column: str, minimum: int = 0) -> int:
    """A whole number written as '12' or '12.0' (GA4 writes integral floats with a decimal point)."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise BadValue(f"{column} is {value!r}, not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise BadValue(f"{column} is {value!r}, not a whole number")
    if number < minimum:
        raise BadValue(f"{column} is {value!r}; it cannot be below {minimum}")
    if number > INT64_MAX:
        raise BadValue(f"{column} is {value!r}, too large to be a count")
    return int(number)


def optional_whole_number(value: str | None, column: str, minimum: int = 0) -> int | None:
    text = optional_text(value)
    return None if text is None else whole_number(text, column, minimum)


def real_number(value: str, column: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise BadValue(f"{column} is {value!r}, not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue(f"{column} is {value!r}, not a finite number")
    return number


def rating(value: str | None, column: str, low: int, high: int) -> int | None:
    text = optional_text(value)
    if text is None:
        return None
    try:
        score = whole_number(text, column, minimum=low)
    except BadValue:
        score = None
    if score is None or score > high:
        raise BadValue(
            f"{column} is {text!r}; expected a whole number from {low} to {high}, or empty if skipped"
        )
    return score


def flag(value: str | None, column: str, meanings: Mapping[str, bool]) -> bool | None:
    text = optional_text(value)
    if text is None:
        return None
    if text.upper() not in meanings:
        expected = " or ".join(meanings)
        raise BadValue(f"{column} is {text!r}; expected {expected}")
    return meanings[text.upper()]


def utc_timestamp(value: Any, column: str) -> dt.datetime:
    """An ISO-8601 timestamp with a zone ('2024-05-01T12:00:00.000Z'), as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise BadValue(f"{column} is missing")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadValue(f"{column} is {value!r}, not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        raise BadValue(f"{column} is {value!r}, which has no time zone")
    row_date(parsed)
    return parsed.astimezone(dt.UTC)


def local_timestamp(value: str | None, column: str, layout: str, timezone: ZoneInfo) -> dt.datetime:
    """A time in the export's `layout`, or in ISO 8601 with a UTC offset, as UTC.

    A time that carries its offset ('2026-03-01T08:02:18-05:00', 'Z', or a layout with %z) is exact; one
    without is a wall-clock time in `timezone`: in the hour repeated when summer time ends, the first.
    """
    text = required_text(value, column)
    parsed: dt.datetime | None
    try:
        parsed = dt.datetime.strptime(text, layout)
    except ValueError:
        parsed = _iso_timestamp(text)
    if parsed is None:
        raise BadValue(
            f"{column} is {text!r}; expected the form {_example(layout)} "
            f"or ISO 8601 with its UTC offset like {ISO_EXAMPLE}"
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone)
    row_date(parsed)
    return parsed.astimezone(dt.UTC)


ISO_EXAMPLE = "2024-01-31T14:05:09-05:00"


def _iso_timestamp(text: str) -> dt.datetime | None:
    """ISO 8601 date and time ('T' or a blank between them) ending in 'Z' or ±HH:MM; None otherwise.

    One without an offset is left to the export's layout: a file of mixed forms is a broken export."""
    if len(text) < len("2024-01-31T14:05Z") or text[10] not in "T ":
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def calendar_date(value: str | None, column: str, layouts: Sequence[str]) -> dt.date:
    text = required_text(value, column)
    for layout in layouts:
        try:
            day = dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
        row_date(day)
        return day
    expected = " or ".join(_example(layout) for layout in layouts)
    raise BadValue(f"{column} is {text!r}; expected a date like {expected}")


def _example(layout: str) -> str:
    example = dt.datetime(2024, 1, 31, 14, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    return example.strftime(layout)


def hashtag_list(tags: Iterable[str]) -> list[str]:
    """Hashtags without '#', lower case, each once, in order of appearance."""
    return list(dict.fromkeys(tag.strip().lstrip("#").lower() for tag in tags if tag.strip().lstrip("#")))
