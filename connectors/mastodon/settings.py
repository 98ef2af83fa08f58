"""Mastodon timeline pages (arrays of Status entities)."""

from __future__ import annotations

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one Mastodon timeline response body: a JSON array of Status entities"
PLATFORM = "mastodon"
STREAM = "social_post"

LINE_BREAK_TAGS = frozenset({"br"})
BLOCK_TAGS = frozenset({"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})

# Status field -> social_post column.
COUNT_COLUMNS = {
    "favourites_count": "like_count",
    "reblogs_count": "repost_count",
    "replies_count": "reply_count",
}
