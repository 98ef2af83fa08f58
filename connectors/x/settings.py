"""X API v2 recent-search pages: field names, URL forms and the Snowflake epoch."""

from __future__ import annotations

import re

FILE_PATTERNS = ("*.json",)
EXPECTED_FILE = "one X API v2 GET /2/tweets/search/recent response body (JSON)"
PLATFORM = "x"
STREAM = "social_post"

POST_URL = "https://x.com/{username}/status/{id}"
POST_URL_WITHOUT_USER = "https://x.com/i/web/status/{id}"

RETWEETED = "retweeted"
REPLIED_TO = "replied_to"
RETWEET_TEXT_PREFIX = "RT @"

# Tweets without created_at get their time from the Snowflake id: (id >> 22) + epoch, in ms.
SNOWFLAKE_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE_ID = 29_700_859_247

# public_metrics -> social_post column; quote_count and impression_count have no column and are not carried.
COUNT_COLUMNS = {"like_count": "like_count", "retweet_count": "repost_count", "reply_count": "reply_count"}

# A hashtag as X recognises one in a tweet's text: '#' (or the full-width '＃') not preceded by a letter,
# digit, '_' or '&' (so 'AT&T#1' and URL fragments are not tags), then letters, digits and '_' with at
# least one letter ('#1' is not a tag).
HASHTAG_IN_TEXT = re.compile(r"(?<![\w&#＃/])[#＃](\w*[^\W\d_]\w*)")
