"""Facebook Pages: comments on the Page's posts through the Graph API."""

from __future__ import annotations

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one Graph API GET /<post id>/comments response body (JSON with 'data')"
STREAM = "social_post"
PLATFORM = "facebook"
BASE_URL = "https://graph.facebook.com"
VERSION = "v19.0"
POSTS = "/{version}/{page_id}/posts"
COMMENTS = "/{version}/{post_id}/comments"
POST_FIELDS = "id,created_time"
COMMENT_FIELDS = "id,created_time,message,from,parent{id},permalink_url,like_count,comment_count"
# Comments arriving in the window on posts published up to this many days before it are read.
LOOKBACK_DAYS = 30
MAX_LIMIT = 100
# Graph API error codes: an invalid or expired token, or missing permission; and throttling.
CREDENTIAL_CODES = frozenset({102, 190, 10, 200})
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001})
