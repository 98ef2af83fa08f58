"""LinkedIn's "Get a copy of your data" archive: messages.csv, loose or in the ZIP; the `parse:` options."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

MESSAGES_FILE = "messages.csv"
FILE_PATTERNS = ("[Mm]essages.csv", "*.zip")
PLATFORM = "linkedin"
STREAM = "social_post"

CONVERSATION_ID = "CONVERSATION ID"
FROM = "FROM"
SENDER_PROFILE_URL = "SENDER PROFILE URL"
DATE = "DATE"
CONTENT = "CONTENT"
REQUIRED_COLUMNS = (CONVERSATION_ID, FROM, SENDER_PROFILE_URL, DATE, CONTENT)
# Newer archives only; a row marked as a draft in either is the agency's unsent text, never feedback.
DRAFT_COLUMNS = ("IS MESSAGE DRAFT", "IS CONVERSATION DRAFT")
DRAFT_MEANINGS = {"YES": True, "TRUE": True, "NO": False, "FALSE": False}
# Who sent or received a message: kept out of a quarantined row's raw record.
PERSON_COLUMNS = frozenset({FROM, SENDER_PROFILE_URL, "TO", "RECIPIENT PROFILE URLS"})

DATE_LAYOUT = "%Y-%m-%d %H:%M:%S UTC"
THREAD_URL = "https://www.linkedin.com/messaging/thread/{conversation_id}/"
HASHTAG = re.compile(r"#(\w+)")
HTML_HINT = re.compile(r"</?[A-Za-z][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")

EXPORT_STEPS = (
    "in LinkedIn, Settings & Privacy > Data privacy > Get a copy of your data, request an archive with "
    "Messages selected (or the larger archive) and drop the ZIP as delivered"
)
HEADER_FIX = f"export messages.csv again, unchanged ({EXPORT_STEPS}); do not rename or remove its columns"
ARCHIVE_FIX = f"the archive was cut off or is not LinkedIn's ZIP: {EXPORT_STEPS}"

Name = Annotated[str, Field(min_length=1, max_length=200)]
ProfileUrl = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=500)]


class Options(BaseModel):
    """`parse:` options of a linkedin source: who the agency is, so its own messages are not read as feedback.

    A message whose FROM is one of `own_names` (ignoring case and spacing) or whose SENDER PROFILE URL is one
    of `own_profile_urls` (ignoring scheme, host, case, query and a trailing slash) is the agency's own.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    own_names: tuple[Name, ...] = ()
    own_profile_urls: tuple[ProfileUrl, ...] = ()

    @field_validator("own_names")
    @classmethod
    def _trimmed(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if name != name.strip():
                raise ValueError(f"'{name}' has leading or trailing blanks")
        return names
