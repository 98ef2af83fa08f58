"""The one HTTP layer every API connector uses: timeouts, retries with backoff, rate limits, clear errors.

`ApiSession` is a `requests.Session` whose `request` retries 429, 5xx, connection errors, timeouts and
broken bodies with exponential backoff and jitter, waits as long as `Retry-After` or the rate-limit headers
say, and turns 401/403 into a `CredentialsError` naming the connection. Every body is streamed under a
wall-clock deadline and a byte cap counted after decompression; redirects are followed here, never to
another origin unless the source allows it, and then without credentials. tweepy's `Client.session` can
be an `ApiSession`, so the X connector shares it too. Sleep, clock and jitter are injectable so tests
never really wait (the deadline runs on the real monotonic clock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.client
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions

log = logging.getLogger(__name__)
# urllib3 logs every request line with its query string (API keys) at DEBUG; this module logs them redacted.
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CREDENTIAL_STATUSES = frozenset({401, 403})
SECRET_PARAM = re.compile(r"key|token|secret|password|passwd|auth|signature|sig$|access|session", re.I)
# Request headers that carry credentials: never sent to another origin on a redirect.
CREDENTIAL_HEADER = re.compile(SECRET_PARAM.pattern + r"|cookie", re.I)
REDACTED = "***"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
BODY_CHUNK = 64 * 1024
MB = 1024 * 1024
# requests.Session.request's parameters after (method, url), so positional callers keep working.
REQUEST_ARGS = (
    "params",
    "data",
    "headers",
    "cookies",
    "files",
    "auth",
    "timeout",
    "allow_redirects",
    "proxies",
    "hooks",
    "stream",
    "verify",
    "cert",
    "json",
)
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


class BodyTooLarge(HttpError):
    """A response body past the byte cap (counted after decompression); not retried."""


class RedirectRefused(HttpError):
    """A redirect to another origin, or one the session will not follow."""


class _BodyDeadline(Exception):
    """The body was still arriving when the request's wall-clock deadline passed (retried)."""


# What a request can fail with half-way, answered by a retry like a 503.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.DecodeError,
    http.client.IncompleteRead,
    _BodyDeadline,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How one request is retried and bounded.

    `timeout` is requests' (connect, read) socket timeout; `deadline` bounds a whole attempt in wall-clock
    seconds, the body included; `max_body_bytes` caps a body after decompression.
    """

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_wait: float = 900.0
    timeout: tuple[float, float] = (10.0, 60.0)
    deadline: float = 60.0
    max_body_bytes: int = 50 * MB


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


def origin(url: str) -> str:
    """scheme://host:port, the port spelt out, for comparing where a redirect leads."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def without_secret_params(url: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not SECRET_PARAM.search(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Stands in for the session's auth on a hop to another origin (a request's None means the session's)."""
    return request


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
        cross_origin_redirects: bool = False,
    ) -> None:
        super().__init__()
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.rewrite_base = rewrite_base
        self.cross_origin_redirects = cross_origin_redirects
        self.max_redirects = MAX_REDIRECTS
        self.not_before = 0.0
        self.min_interval = 0.0
        self.last_call: float | None = None
        self.last_url: str | None = None
        self.calls = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Like requests' `request`, with retries, the deadline and byte cap, and redirects followed here.

        The body is always read (streamed) before this returns, so `.content`/`.json()` work as usual.
        """
        method_text = method.decode() if isinstance(method, bytes) else method
        target = self._rewrite(url.decode() if isinstance(url, bytes) else url)
        call = {**dict(zip(REQUEST_ARGS, args, strict=False)), **kwargs}
        follow = bool(call.pop("allow_redirects", True))
        for _ in range(self.max_redirects + 1):
            response = self._send(method_text, target, call)
            self.last_url = safe_url(response.url)
            if not (follow and response.is_redirect):
                return response
            method_text, target, call = self._redirect(method_text, call, response)
        raise RedirectRefused(
            f"{method_text} {safe_url(target)}: more than {self.max_redirects} redirects in a row; "
            "the service is redirecting in a loop; check the source's base_url"
        )

    def _send(self, method: str, target: str, kwargs: dict[str, Any]) -> requests.Response:
        """One hop, retried: the response with its body read, or an HttpError."""
        call = {
            **kwargs,
            "allow_redirects": False,
            "stream": True,
            "timeout": self._timeouts(kwargs.get("timeout")),
        }
        shown = safe_url(target, kwargs.get("params"))
        last = "no response"
        for attempt in range(1, self.policy.max_attempts + 1):
            self._wait_for_rate_limit()
            self.calls += 1
            started = self.last_call = self.clock()
            deadline = time.monotonic() + self.policy.deadline
            try:
                response = super().request(method, target, **call)
                self._read_body(response, deadline, f"{method} {shown}")
            except TRANSIENT_ERRORS as exc:
                last = _failure(exc)
                log.warning("%s %s -> %s (attempt %d)", method, shown, last, attempt)
                self._backoff(attempt, None)
                continue
            log.info(
                "%s %s -> %d (%.0f ms, attempt %d)",
                method,
                shown,
                response.status_code,
                (self.clock() - started) * 1000,
                attempt,
            )
            self._note_rate_limit(response)
            if response.status_code in CREDENTIAL_STATUSES:
                raise CredentialsError(
                    f"{method} {shown}: HTTP {response.status_code}, the API rejected the credentials; "
                    f"{self.credentials.hint()}",
                    response,
                )
            if response.status_code not in RETRY_STATUSES:
                if response.status_code >= 400:
                    raise HttpError(
                        f"{method} {shown}: HTTP {response.status_code}: {_excerpt(response)}", response
                    )
                return response
            last = f"HTTP {response.status_code}"
            self._backoff(attempt, server_wait(response, self.clock()))
        raise RetryBudgetExceeded(
            f"{method} {shown}: gave up after {self.policy.max_attempts} attempts (last: {last}); "
            "the service is down or throttling; rerun the task later (the cursor has not moved)"
        )

    def _timeouts(self, given: Any) -> tuple[float, float]:
        """The caller's (or the policy's) socket timeouts, neither longer than the deadline."""
        if given is None:
            given = self.policy.timeout
        connect, read = given if isinstance(given, tuple) else (given, given)
        cap = self.policy.deadline
        return (min(connect or cap, cap), min(read or cap, cap))

    def _read_body(self, response: requests.Response, deadline: float, what: str) -> None:
        """Stream the body into `response._content`, stopping at the deadline or the byte cap."""
        cap = self.policy.max_body_bytes
        body = bytearray()
        watchdog = _Watchdog(response, deadline)
        done = False
        try:
            for chunk in response.iter_content(BODY_CHUNK):
                body += chunk
                if len(body) > cap:
                    raise BodyTooLarge(
                        f"{what}: the response is larger than {cap / MB:.3g} MB once decompressed; stopped "
                        f"reading there. If the service really sends that much, raise api.max_response_mb "
                        f"for the source of connection '{self.credentials.conn_id}' or lower api.page_size"
                    )
                if time.monotonic() > deadline:
                    break
            if time.monotonic() > deadline:
                raise _BodyDeadline(self._late())
            done = True
        except TRANSIENT_ERRORS:
            if time.monotonic() >= deadline:
                raise _BodyDeadline(self._late()) from None
            raise
        finally:
            watchdog.cancel()
            if not done:
                response.close()
        response._content = bytes(body)
        response.close()

    def _late(self) -> str:
        return (
            f"the response was not complete within the {self.policy.deadline:g} s deadline "
            "(api.timeout_seconds)"
        )

    def _redirect(
        self, method: str, kwargs: dict[str, Any], response: requests.Response
    ) -> tuple[str, str, dict[str, Any]]:
        """The next hop of a redirect: its method, URL and arguments, credentials dropped across origins."""
        here = response.url
        location = self.get_redirect_target(response) or ""
        target = urljoin(here, location)
        status = response.status_code
        response.close()
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            raise RedirectRefused(f"{method} {safe_url(here)}: HTTP {status} redirects to a non-HTTP address")
        same = origin(target) == origin(here)
        if not same and not self.cross_origin_redirects:
            raise RedirectRefused(
                f"{method} {safe_url(here)}: HTTP {status} redirects from {origin(here)} to another origin, "
                f"{origin(target)}; not followed, so the credentials of connection "
                f"'{self.credentials.conn_id}' stay with {origin(here)}. If the service has moved, point "
                "the source's api.base_url there; to follow such redirects (without credentials) set "
                "api.allow_cross_origin_redirects: true"
            )
        call = {**kwargs, "params": None}
        headers = {k: v for k, v in (call.get("headers") or {}).items()}
        # As browsers and requests do: 303 and a POST's 301/302 become a GET without a body.
        if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
            method = "GET"
            for name in ("data", "json", "files"):
                call.pop(name, None)
            headers = {
                k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")
            }
        if not same:
            target = without_secret_params(target)
            headers = {k: v for k, v in headers.items() if not CREDENTIAL_HEADER.search(k)}
            # None removes the session's own header from the merged request.
            headers.update({k: None for k in self.headers if CREDENTIAL_HEADER.search(k)})
            call["auth"] = _no_auth
            call.pop("cookies", None)
        call["headers"] = headers
        log.info(
            "%s %s -> %d, redirected to %s (%s)",
            method,
            safe_url(here),
            status,
            safe_url(target),
            "same origin" if same else "another origin: credentials not sent",
        )
        return method, target, call

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


class _Watchdog:
    """Shuts the response's socket at the deadline, so a read blocked on a dripping server returns."""

    def __init__(self, response: requests.Response, deadline: float) -> None:
        self._response = response
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            # Already closed or released: then nothing is blocked on it.
            with contextlib.suppress(AttributeError, ValueError, RuntimeError, OSError):
                self._response.raw.shutdown()

    def cancel(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _failure(exc: BaseException) -> str:
    """What went wrong with an attempt, for the log and the final error."""
    if isinstance(exc, _BodyDeadline):
        return str(exc)
    name = type(exc).__name__
    if isinstance(exc, (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError)):
        return f"the response body could not be decompressed ({name})"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError)):
        return f"the response body was cut off ({name})"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the response body was cut off ({name})"
    return name


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


class PageGuard:
    """The next-page URLs or cursors one paging loop has followed; one seen before stops the loop.

    A service that hands back the same link or cursor would otherwise be asked the same page until
    max_pages. The error names the connection and the URL path that repeated it.
    """

    def __init__(self, session: ApiSession | None = None) -> None:
        self.session = session
        self.seen: set[str] = set()

    def visit(self, marker: str, page: int) -> None:
        if marker in self.seen:
            raise BadResponse(self._repeated(marker, page))
        self.seen.add(marker)

    def _repeated(self, marker: str, page: int) -> str:
        is_url = marker.startswith(("http://", "https://"))
        what = f"the next-page link {urlsplit(marker).path}" if is_url else f"the cursor {marker[:40]!r}"
        where = urlsplit(self.session.last_url).path if self.session and self.session.last_url else ""
        who = f"connection '{self.session.credentials.conn_id}'" if self.session else "paging"
        return (
            f"{who}: {where or 'the API'} (page {page}) sent {what} again, a page already read; stopped "
            "paging instead of asking for the same pages in a loop. The service's paging is broken: "
            "rerun the task later (the cursor has not moved), and report it to the service if it persists"
        )


def _too_many(max_pages: int, where: str = "") -> BadResponse:
    return BadResponse(
        f"{where}more than {max_pages} pages (api.max_pages); narrow the interval or raise api.max_pages"
    )


def cursor_pages(
    fetch: Callable[[str | None], tuple[Any, str | None]],
    *,
    max_pages: int = 10_000,
    session: ApiSession | None = None,
) -> Iterator[Any]:
    """Pages chained by a cursor token (or next-page URL): `fetch(token)` returns (page, next token or None).

    `session` names the connection and the path when the API repeats a cursor.
    """
    token: str | None = None
    guard = PageGuard(session)
    for number in range(1, max_pages + 1):
        page, token = fetch(token)
        yield page
        if not token:
            return
        guard.visit(token, number)
    raise _too_many(max_pages)


def link_pages(
    session: ApiSession, url: str, params: Mapping[str, Any] | None = None, *, max_pages: int = 10_000
) -> Iterator[tuple[Any, requests.Response]]:
    """Pages chained by the `Link: <...>; rel="next"` header (Mastodon, GitHub style)."""
    next_url: str | None = url
    next_params = params
    guard = PageGuard(session)
    for number in range(1, max_pages + 1):
        if next_url is None:
            return
        response = session.get(next_url, params=next_params)
        guard.seen.add(_normal_url(response.url))
        yield response_json(response, number), response
        link = response.links.get("next", {}).get("url")
        next_url, next_params = (link or None), None
        if next_url is not None:
            guard.visit(_normal_url(next_url), number)
    raise _too_many(max_pages, f"{safe_url(url)}: ")


def _normal_url(url: str) -> str:
    """The URL as requests would send it, so an escaped and an unescaped spelling compare equal."""
    return requests.Request("GET", url).prepare().url or url


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
    raise _too_many(max_pages)


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
    raise _too_many(max_pages)
