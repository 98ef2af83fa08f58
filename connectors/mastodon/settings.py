"""Mastodon timeline pages (arrays of Status entities) and notifications pages (arrays of Notification)."""

from __future__ import annotations

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = (
    "one Mastodon timeline response body (a JSON array of Status entities) or notifications response "
    "body (GET /api/v1/notifications: a JSON array of Notification entities)"
)
PLATFORM = "mastodon"
STREAM = "social_post"

MENTION = "mention"
# social_post holds public posts; followers-only ("private") and "direct" statuses are not landed.
NOT_LANDED_VISIBILITY = frozenset({"private", "direct"})


# Status field -> social_post column.
COUNT_COLUMNS = {
    "favourites_count": "like_count",
    "reblogs_count": "repost_count",
    "replies_count": "reply_count",
}
