"""messages.csv (loose or in LinkedIn's ZIP) to social_post values; the agency's own messages and drafts."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from civicpulse.filereaders import (
    BadValue,
    CsvFile,
    flag,
    hashtag_list,
    json_raw,
    optional_text,
    read_csv,
    required_text,
    row_date,
)
from civicpulse.htmltext import html_to_text
from civicpulse.sources import FileProblem
from civicpulse.unused_fields import report_unused_columns
from connectors.linkedin.settings import (
    ARCHIVE_FIX,
    CONTENT,
    CONVERSATION_ID,
    DATE,
    DATE_LAYOUT,
    DRAFT_COLUMNS,
    DRAFT_MEANINGS,
    EXPORT_STEPS,
    FROM,
    HASHTAG,
    HEADER_FIX,
    HTML_HINT,
    MESSAGES_FILE,
    PERSON_COLUMNS,
    PLATFORM,
    REQUIRED_COLUMNS,
    SENDER_PROFILE_URL,
    THREAD_URL,
    Options,
)


def read_messages(path: Path) -> CsvFile:
    """messages.csv with the required header; inside a ZIP its rows are named `<archive>/<member>`."""
    if path.suffix.lower() == ".zip":
        member, data = _archive_member(path)
        export = read_csv(path / member, data)
    else:
        export = read_csv(path)
    export.require(REQUIRED_COLUMNS, HEADER_FIX)
    report_unused_columns(
        export, (*REQUIRED_COLUMNS, *DRAFT_COLUMNS), "the linkedin parser reads no such column"
    )
    return export


def _archive_member(path: Path) -> tuple[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and PurePosixPath(info.filename).name.lower() == MESSAGES_FILE
            ]
            data = archive.read(members[0]) if len(members) == 1 else b""
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise FileProblem(path, f"the file is not a readable ZIP archive ({exc})", ARCHIVE_FIX) from None
    if not members:
        problem = f"the archive holds no {MESSAGES_FILE} (it was requested without Messages)"
        raise FileProblem(path, problem, EXPORT_STEPS)
    if len(members) > 1:
        problem = f"the archive holds more than one {MESSAGES_FILE} ({', '.join(members)})"
        raise FileProblem(path, problem, f"keep LinkedIn's archive as delivered: {EXPORT_STEPS}")
    return members[0], data


@dataclass(frozen=True)
class OwnAccount:
    """The agency's own names and profiles on LinkedIn, compared loosely (see `Options`)."""

    names: frozenset[str]
    profiles: frozenset[str]

    @classmethod
    def of(cls, options: Options) -> OwnAccount:
        return cls(
            frozenset(_name_key(name) for name in options.own_names),
            frozenset(_profile_key(url) for url in options.own_profile_urls),
        )

    def __bool__(self) -> bool:
        return bool(self.names or self.profiles)

    def sent(self, row: dict[str, str]) -> bool:
        sender = row[FROM]
        url = optional_text(row[SENDER_PROFILE_URL])
        named = {_name_key(sender), _name_key(_repaired(sender))} & self.names
        return bool(named) or (url is not None and _profile_key(url) in self.profiles)


def not_feedback(row: dict[str, str], own: OwnAccount) -> str | None:
    """'own' for a message the agency sent, 'draft' for an unsent one, None for a resident's message."""
    if own.sent(row):
        return "own"
    if any(flag(row[column], column, DRAFT_MEANINGS) for column in DRAFT_COLUMNS if column in row):
        return "draft"
    return None


def message_values(row: dict[str, str]) -> dict[str, Any]:
    sent_at = _sent_at(row[DATE])
    conversation = required_text(row[CONVERSATION_ID], CONVERSATION_ID)
    text = _plain_text(row[CONTENT])
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return {
        "native_id": f"{conversation}:{sent_at:%Y%m%dT%H%M%SZ}:{digest}",
        "occurred_at": sent_at,
        "platform": PLATFORM,
        "author_id": optional_text(row[SENDER_PROFILE_URL]),
        "author_handle": optional_text(row[FROM]),
        "text": text,
        "language": None,
        "url": THREAD_URL.format(conversation_id=quote(conversation, safe="=")),
        "is_repost": False,
        "reposted_id": None,
        "reply_to_id": conversation,
        "hashtags": hashtag_list(HASHTAG.findall(text)),
        "like_count": None,
        "repost_count": None,
        "reply_count": None,
    }


def quarantine_raw(row: dict[str, str]) -> str:
    """The row as read, without the names and profile URLs of its sender and recipients."""
    return json_raw({column: value for column, value in row.items() if column not in PERSON_COLUMNS})


def _sent_at(value: str) -> dt.datetime:
    text = optional_text(value)
    example = dt.datetime(2024, 1, 31, 14, 5, 9).strftime(DATE_LAYOUT)
    fix = "export messages.csv again, unchanged (saving it from a spreadsheet rewrites its dates)"
    if text is None:
        raise BadValue(f"{DATE} is empty; {fix}")
    try:
        sent_at = dt.datetime.strptime(text, DATE_LAYOUT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise BadValue(f"{DATE} is {text!r}, not LinkedIn's form '{example}'; {fix}") from None
    return row_date(sent_at)


def _plain_text(content: str) -> str:
    text = html_to_text(content) if HTML_HINT.search(content) else optional_text(content)
    if not text:
        raise BadValue(
            f"{CONTENT} is empty (an attachment only, or a deleted message): no text to load; "
            "open the conversation in LinkedIn to read it"
        )
    return text


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _repaired(text: str) -> str:
    """UTF-8 names LinkedIn wrote through a single-byte codec ('JosÃ©' for 'José'), decoded back."""
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def _profile_key(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.netloc.lower().removeprefix("www.").endswith("linkedin.com"):
        return unquote(parts.path).rstrip("/").casefold()
    return url.strip().rstrip("/").casefold()
