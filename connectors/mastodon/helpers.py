"""Mastodon Status entities to social_post values (HTML content to plain text); a Notification's status."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from civicpulse.filereaders import (
    BadValue,
    hashtag_list,
    json_count,
    json_id,
    json_object,
    optional_text,
    utc_timestamp,
)
from civicpulse.htmltext import html_to_text
from civicpulse.sources import FileProblem
from connectors.mastodon.settings import (
    COUNT_COLUMNS,
    EXPECTED_FILE,
    MENTION,
    NOT_LANDED_VISIBILITY,
    PLATFORM,
)

log = logging.getLogger(__name__)


class Skipped(Exception):
    """An item that is not landed by design (not quarantined): `reason` is counted in a log line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def page_items(path: Path | str, page: Any) -> list[Any]:
    if isinstance(page, dict) and "error" in page:
        raise FileProblem(
            path, f"the file is a Mastodon error response ({page['error']})", "request the page again"
        )
    if not isinstance(page, list):
        raise FileProblem(
            path, "the file is not a JSON array of statuses or notifications", f"save {EXPECTED_FILE}"
        )
    return page


def is_notification_page(items: list[Any]) -> bool:
    """Notifications have a `type` and carry their status inside; statuses have `content` and no `type`."""
    return any(isinstance(item, dict) and "type" in item and "content" not in item for item in items)


def timeline_status(item: Any) -> Any:
    return item


def notification_status(item: Any) -> Any:
    """The status a mention carries; other notification types and mentions without a status are skipped."""
    if not isinstance(item, dict):
        return item
    kind = item.get("type")
    if kind != MENTION:
        raise Skipped(f"{kind} notification")
    if item.get("status") is None:
        raise Skipped("mention without a status")
    return item["status"]


def check_visibility(status: Any) -> None:
    visibility = status.get("visibility") if isinstance(status, dict) else None
    if isinstance(visibility, str) and visibility in NOT_LANDED_VISIBILITY:
        raise Skipped(f"{visibility} status")


def log_skipped(origin: Path | str, skipped: Counter[str]) -> None:
    if skipped:
        counts = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        log.info("%s: skipped, not landed: %s", origin, counts)


def status_values(item: Any) -> dict[str, Any]:
    status = json_object(item, "status")
    native_id = json_id(status.get("id"), "status")
    boosted = _boosted_status(status)
    shown = status if boosted is None else boosted
    account = json_object(status.get("account") or {}, "account")
    text = html_to_text(_string(shown.get("content"), "content"))
    if not text:
        raise BadValue("the status has no text (an empty or media-only post)")
    return {
        "native_id": native_id,
        "occurred_at": utc_timestamp(status.get("created_at"), "created_at"),
        "platform": PLATFORM,
        "author_id": optional_text(_string(account.get("id"), "account.id")),
        "author_handle": optional_text(_string(account.get("acct"), "account.acct")),
        "text": text,
        "language": optional_text(_string(shown.get("language"), "language")),
        "url": optional_text(_string(status.get("url") or shown.get("url"), "url")),
        "is_repost": boosted is not None,
        "reposted_id": None if boosted is None else json_id(boosted.get("id"), "boosted status"),
        "reply_to_id": optional_text(_string(status.get("in_reply_to_id"), "in_reply_to_id")),
        "hashtags": hashtag_list(_tag_names(shown.get("tags"))),
        **{column: json_count(status.get(name), name) for name, column in COUNT_COLUMNS.items()},
    }


def _boosted_status(status: dict[str, Any]) -> dict[str, Any] | None:
    boosted = status.get("reblog")
    return None if boosted is None else json_object(boosted, "boosted status (reblog)")


def _string(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadValue(f"{field} is {value!r}, not a string")
    return str(value)


def _tag_names(tags: Any) -> list[str]:
    if not isinstance(tags, list):
        return []
    return [tag["name"] for tag in tags if isinstance(tag, dict) and isinstance(tag.get("name"), str)]
