"""The one HTTP layer every API connector uses: timeouts, retries with backoff, rate limits, clear errors.

`ApiSession` is a `requests.Session` whose `request` retries 429, 5xx, connection errors and timeouts with
exponential backoff and jitter, waits as long as `Retry-After` or the rate-limit headers say, and turns
401/403 into a `CredentialsError` naming the connection. tweepy's `Client.session` can be an `ApiSession`,
so the X connector shares it too. Sleep, clock and jitter are injectable so tests never really wait.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

log = logging.getLogger(__name__)
# urllib3 logs every request line with its query string (API keys) at DEBUG; this module logs them redacted.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CREDENTIAL_STATUSES = frozenset({401, 403})
SECRET_PARAM = re.compile(r"key|token|secret|password|passwd|auth|signature|sig$|access|session", re.I)
REDACTED = "***"
# Reset headers above this are epoch seconds; below it, seconds to wait.
EPOCH_THRESHOLD = 1_000_000_000


class HttpError(RuntimeError):
    """An API call that failed for good; the message names the URL (without secrets) and the fix.

    `response` is the service's answer when it refused the call (4xx), for connectors that read the
    service's own error codes from it; None when the call failed without one.
    """

    def __init__(self, message: str, response: requests.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class CredentialsError(HttpError):
    pass


class RetryBudgetExceeded(HttpError):
    pass


class BadResponse(HttpError):
    """A response body that is not the JSON the API promises (malformed or cut off)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_wait: float = 900.0
    timeout: tuple[float, float] = (10.0, 60.0)


@dataclass(frozen=True)
class Credentials:
    """Where a connector's secret comes from, so errors can say what to set (never the secret itself)."""

    conn_id: str
    env_var: str
    fields: str

    def hint(self) -> str:
        return (
            f"check the Airflow connection '{self.conn_id}' ({self.fields}) "
            f"or, for the CLI, the environment variable {self.env_var}"
        )


def safe_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL with every secret-looking query parameter replaced by ***."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if params:
        query += [(str(k), str(v)) for k, v in params.items() if v is not None]
    shown = [(k, REDACTED if SECRET_PARAM.search(k) else v) for k, v in query]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(shown, safe="[]:,*"), ""))


class ApiSession(requests.Session):
    def __init__(
        self,
        credentials: Credentials,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        rewrite_base: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.rewrite_base = rewrite_base
        self.not_before = 0.0
        self.min_interval = 0.0
        self.last_call: float | None = None
        self.calls = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method_text = method.decode() if isinstance(method, bytes) else method
        target = self._rewrite(url.decode() if isinstance(url, bytes) else url)
        kwargs.setdefault("timeout", self.policy.timeout)
        shown = safe_url(target, kwargs.get("params"))
        last = "no response"
        for attempt in range(1, self.policy.max_attempts + 1):
            self._wait_for_rate_limit()
            self.calls += 1
            started = self.last_call = self.clock()
            try:
                response = super().request(method_text, target, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = type(exc).__name__
                log.warning("%s %s -> %s (attempt %d)", method_text, shown, last, attempt)
                self._backoff(attempt, None)
                continue
            log.info(
                "%s %s -> %d (%.0f ms, attempt %d)",
                method_text,
                shown,
                response.status_code,
                (self.clock() - started) * 1000,
                attempt,
            )
            self._note_rate_limit(response)
            if response.status_code in CREDENTIAL_STATUSES:
                raise CredentialsError(
                    f"{method_text} {shown}: HTTP {response.status_code}, the API rejected the credentials; "
                    f"{self.credentials.hint()}",
                    response,
                )
            if response.status_code not in RETRY_STATUSES:
                if response.status_code >= 400:
                    raise HttpError(
                        f"{method_text} {shown}: HTTP {response.status_code}: {_excerpt(response)}", response
                    )
                return response
            last = f"HTTP {response.status_code}"
            self._backoff(attempt, server_wait(response, self.clock()))
        raise RetryBudgetExceeded(
            f"{method_text} {shown}: gave up after {self.policy.max_attempts} attempts (last: {last}); "
            "the service is down or throttling; rerun the task later (the cursor has not moved)"
        )

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, page: int | str = 1) -> Any:
        response = self.get(url, params=params)
        return response_json(response, page)

    def _rewrite(self, url: str) -> str:
        if self.rewrite_base and url.startswith(self.rewrite_base[0]):
            return self.rewrite_base[1].rstrip("/") + url[len(self.rewrite_base[0]) :]
        return url

    def _backoff(self, attempt: int, server: float | None) -> None:
        if attempt >= self.policy.max_attempts:
            return
        if server is not None:
            if server > self.policy.max_wait:
                raise RetryBudgetExceeded(
                    f"the API asks to wait {server:.0f} s, more than the limit of "
                    f"{self.policy.max_wait:.0f} s; rerun the task after the rate-limit window resets"
                )
            delay = server + self.jitter()
        else:
            ceiling = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (attempt - 1))
            delay = ceiling / 2 + self.jitter() * ceiling / 2
        self.sleep(delay)

    def _note_rate_limit(self, response: requests.Response) -> None:
        if response.status_code in RETRY_STATUSES:
            return
        remaining = _header(
            response, "x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining"
        )
        if remaining is not None and remaining.strip() == "0":
            wait = reset_wait(response, self.clock())
            if wait is not None:
                self.not_before = self.clock() + wait

    def _wait_for_rate_limit(self) -> None:
        if self.last_call is not None and self.min_interval:
            self.not_before = max(self.not_before, self.last_call + self.min_interval)
        wait = self.not_before - self.clock()
        if wait > 0:
            if wait > self.policy.max_wait:
                raise RetryBudgetExceeded(
                    f"the rate limit resets in {wait:.0f} s, more than the limit of "
                    f"{self.policy.max_wait:.0f} s; rerun the task after it resets"
                )
            log.info("waiting %.1f s for the API's rate limit", wait)
            self.sleep(wait)


def server_wait(response: requests.Response, now: float) -> float | None:
    """Seconds the server asks us to wait: Retry-After (seconds or HTTP date), else the reset headers."""
    retry_after = response.headers.get("Retry-After")
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    return reset_wait(response, now)


def reset_wait(response: requests.Response, now: float) -> float | None:
    reset = _header(response, "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
    if reset is None:
        return None
    try:
        value = float(reset.strip())
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return max(0.0, moment.timestamp() - now) if moment.tzinfo else None
    return max(0.0, value - now) if value > EPOCH_THRESHOLD else max(0.0, value)


def _header(response: requests.Response, *names: str) -> str | None:
    for name in names:
        value = response.headers.get(name)
        if value is not None:
            return value
    return None


def _excerpt(response: requests.Response) -> str:
    return re.sub(r"\s+", " ", response.text[:300]).strip() or response.reason or "(no body)"


def response_json(response: requests.Response, page: int | str = 1) -> Any:
    shown = safe_url(response.url)
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadResponse(f"{shown} (page {page}): the response is not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(response.text.rstrip()) or exc.msg.startswith("Unterminated")
        problem = "ends before the JSON is complete (cut off)" if cut else f"is not valid JSON ({exc.msg})"
        raise BadResponse(
            f"{shown} (page {page}): the response {problem} at line {exc.lineno}, column {exc.colno}; "
            "rerun the task (the cursor has not moved); if it persists the API is returning bad data"
        ) from None


def cursor_pages(
    fetch: Callable[[str | None], tuple[Any, str | None]], *, max_pages: int = 10_000
) -> Iterator[Any]:
    """Pages chained by a cursor token: `fetch(token)` returns (page, next token or None)."""
    token: str | None = None
    seen: set[str] = set()
    for _ in range(max_pages):
        page, token = fetch(token)
        yield page
        if not token:
            return
        if token in seen:
            raise BadResponse(f"the API returned the cursor {token[:40]!r} twice; stopping to avoid a loop")
        seen.add(token)
    raise BadResponse(f"more than {max_pages} pages; narrow the interval")


def link_pages(
    session: ApiSession, url: str, params: Mapping[str, Any] | None = None, *, max_pages: int = 10_000
) -> Iterator[tuple[Any, requests.Response]]:
    """Pages chained by the `Link: <...>; rel="next"` header (Mastodon, GitHub style)."""
    next_url: str | None = url
    next_params = params
    for number in range(1, max_pages + 1):
        if next_url is None:
            return
        response = session.get(next_url, params=next_params)
        yield response_json(response, number), response
        link = response.links.get("next", {}).get("url")
        next_url, next_params = (link or None), None
    raise BadResponse(f"{safe_url(url)}: more than {max_pages} pages; narrow the interval")


def numbered_pages(
    fetch: Callable[[int], list[Any]], page_size: int, *, first: int = 1, max_pages: int = 10_000
) -> Iterator[list[Any]]:
    """Page-number paging: stops at an empty or short page."""
    for number in range(first, first + max_pages):
        items = fetch(number)
        if items:
            yield items
        if len(items) < page_size:
            return
    raise BadResponse(f"more than {max_pages} pages; narrow the interval")


def offset_pages(
    fetch: Callable[[int], tuple[list[Any], int | None]], limit: int, *, max_pages: int = 10_000
) -> Iterator[list[Any]]:
    """Offset/limit paging: `fetch(offset)` gives (items, total or None); stops at total or a short page."""
    offset = 0
    for _ in range(max_pages):
        items, total = fetch(offset)
        if items:
            yield items
        offset += len(items)
        if len(items) < limit or (total is not None and offset >= total):
            return
    raise BadResponse(f"more than {max_pages} pages; narrow the interval")
