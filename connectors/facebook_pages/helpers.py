"""Graph API comment objects to social_post values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from civicpulse.filereaders import (
    BadValue,
    data_items,
    hashtag_list,
    json_count,
    json_object,
    optional_text,
    utc_timestamp,
)
from connectors.facebook_pages.settings import EXPECTED_FILE, PLATFORM

HASHTAG = re.compile(r"#(\w+)")
POST_IN_PATH = re.compile(r"/posts/(\d+)")


def page_items(origin: Path | str, page: Any) -> list[Any]:
    return data_items(origin, page, "Graph API", f"save {EXPECTED_FILE}")


def next_after(page: Any) -> str | None:
    """The `after` cursor, only while the page says there is a next one."""
    paging = page.get("paging") if isinstance(page, dict) else None
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None


def comment_values(item: Any, post_id: str | None) -> dict[str, Any]:
    comment = json_object(item, "comment")
    link = comment.get("permalink_url")
    query = parse_qs(urlsplit(link).query) if isinstance(link, str) else {}
    native_id = _last(comment.get("id")) or _first(query, "reply_comment_id") or _first(query, "comment_id")
    if not native_id:
        raise BadValue("the comment has no id (request the field 'id')")
    message = comment.get("message")
    text = optional_text(message) if isinstance(message, str) else None
    if not text:
        raise BadValue("the comment has no text (a sticker, photo or GIF only)")
    author = comment.get("from")
    author = author if isinstance(author, dict) else {}
    parent = comment.get("parent")
    replied = _last(parent.get("id")) if isinstance(parent, dict) else None
    if replied is None and _first(query, "reply_comment_id"):
        replied = _first(query, "comment_id")
    if replied is None:
        in_path = POST_IN_PATH.search(urlsplit(link).path) if isinstance(link, str) else None
        replied = _last(post_id) or (in_path.group(1) if in_path else None)
    return {
        "native_id": native_id,
        "occurred_at": utc_timestamp(comment.get("created_time"), "created_time"),
        "platform": PLATFORM,
        "author_id": _text(author.get("id")),
        "author_handle": _text(author.get("name")),
        "text": text,
        "language": None,
        "url": _text(link),
        "is_repost": False,
        "reposted_id": None,
        "reply_to_id": replied,
        "hashtags": hashtag_list(HASHTAG.findall(text)),
        "like_count": json_count(comment.get("like_count"), "like_count"),
        "repost_count": None,
        "reply_count": json_count(comment.get("comment_count"), "comment_count"),
    }


def _last(value: Any) -> str | None:
    """Graph ids of comments are <object>_<comment>: the comment's own number identifies it."""
    return str(value).rsplit("_", 1)[-1] if isinstance(value, str | int) and str(value).strip() else None


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _text(value: Any) -> str | None:
    return optional_text(str(value)) if value is not None else None
