"""LinkedIn messages to the agency's account, from LinkedIn's own data export, to social_post records.

LinkedIn has no open API for reading an account's messages, so this connector is file mode only. It reads
`messages.csv` from the "Get a copy of your data" archive (Settings & Privacy > Data privacy), delivered
as `Basic_LinkedInDataExport_MM-DD-YYYY.zip` or `Complete_LinkedInDataExport_MM-DD-YYYY.zip`: the ZIP
as delivered (every `*.zip` in the inbox is read as one: only its messages.csv, and an archive without one
is a FileProblem saying what to request) or the loose messages.csv, under LinkedIn's file name.

The format, as public parsers of real archives document it (thephm/linkedin_md
`docs/linkedin_export.md` and `linkedin.py`, silkyrich/linkedin-export-viewer
`lib/models/entities/message.dart` and `lib/services/parse_service.dart`, tsimms/linkedin-export-insights
`data.js`): UTF-8 (a BOM is tolerated), messages.csv at the archive's root, header `CONVERSATION ID,
CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER`, newer
archives adding `ATTACHMENTS,IS MESSAGE DRAFT` (and `IS CONVERSATION DRAFT`). CONVERSATION ID looks like
`2-NTg3YjNm...XzAxMA==`, the shape of the id in LinkedIn's thread links
`linkedin.com/messaging/thread/<id>/` (which `url` points to; not checked against a live account); FROM
and TO are display names (accented names sometimes come mis-decoded, `JosÃ©`); profile URLs are
`https://www.linkedin.com/in/<slug>`, several recipients separated by `;`; DATE is `2023-06-11 15:33:58
UTC`; FOLDER is `INBOX` or `ARCHIVE`; CONTENT is the text, HTML in some messages (InMail), and often spans
lines inside its quotes. Extra columns are read past; a missing CONVERSATION ID, FROM, SENDER PROFILE URL,
DATE or CONTENT column is a FileProblem naming it.

One row is one social_post: `reply_to_id` is the conversation id (a thread's messages share it),
`native_id` is `<conversation id>:<UTC time>:<8 hex of the text's SHA-256>` (LinkedIn gives messages no
id; every archive repeats the whole history, so the same message keeps its id and loads once), `url` the
thread. The sender's profile URL and name land as `author_id` and `author_handle`, like every social
connector's author, and staging pseudonymises them; a quarantined row's raw record leaves out FROM, TO and
both profile URL columns.

The agency's own messages are its replies, not resident feedback: like the Facebook Pages connector's
"the Page's own replies are skipped", a message from one of `parse: own_names` or `own_profile_urls`
(`Options`) is not loaded, nor is a draft; both are counted in the log. (The X connector lands the
agency's own tweets like any other.) A row with an unreadable date, no text or an odd draft flag is a
RowProblem naming its line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from civicpulse.filereaders import read_row, to_record
from civicpulse.sources import ParseContext, ParsedRow, RowProblem, options_of
from connectors.linkedin.helpers import (
    OwnAccount,
    message_values,
    not_feedback,
    quarantine_raw,
    read_messages,
)
from connectors.linkedin.settings import FILE_PATTERNS, STREAM, Options

STREAMS = (STREAM,)
__all__ = ["FILE_PATTERNS", "STREAMS", "Options", "parse_file"]

log = logging.getLogger(__name__)


def parse_file(path: Path, context: ParseContext) -> Iterator[ParsedRow]:
    own = OwnAccount.of(options_of(context, Options))
    export = read_messages(path)
    label = str(export.path)
    if not own:
        log.warning(
            "%s: %s sets no parse: own_names or own_profile_urls, so the agency's own messages load as "
            "resident feedback",
            label,
            context.source,
        )
    skipped: Counter[str] = Counter()
    for row in export.rows:
        if isinstance(row, RowProblem):
            yield row
            continue
        raw = quarantine_raw(row.values)
        kind = read_row(label, row.line, raw, not_feedback, row.values, own)
        if isinstance(kind, RowProblem):
            yield kind
            continue
        if kind:
            skipped[kind] += 1
            continue
        yield to_record(STREAM, label, row.line, raw, message_values, row.values)
    if skipped:
        log.info(
            "%s: skipped %d message(s) the agency sent and %d draft(s): not resident feedback",
            label,
            skipped["own"],
            skipped["draft"],
        )
