"""Google service-account access tokens (OAuth 2.0 JWT bearer grant, RFC 7523) through `ApiSession`.

A connection may hold a plain access token or a service account's JSON key; with a key,
`ServiceAccountTokens` signs an RS256 assertion, trades it at the key's `token_uri` for an access token
(retries, backoff and redacted logs from the session) and mints a new one shortly before it expires.
It is also a `requests` auth: `http.auth = tokens` puts a fresh `Authorization: Bearer` on every call.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from civicpulse.http import (
    ApiSession,
    BadResponse,
    Credentials,
    CredentialsError,
    HttpError,
    response_json,
    safe_url,
)

DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600
REFRESH_MARGIN = 300.0
REQUIRED_FIELDS = ("client_email", "private_key", "private_key_id")
KEY_HELP = (
    "put there the whole JSON key file of the service account, unchanged (Google Cloud console: "
    "IAM & Admin > Service accounts > the account > Keys > Add key > Create new key > JSON)"
)
GRANT_HELP = {
    "invalid_grant": (
        "the key may have been deleted or disabled, the service account removed, or this machine's "
        "clock is off; create a new JSON key for the service account and store it there"
    ),
    "invalid_scope": "the scopes requested are not valid for this service account",
    "unauthorized_client": "the service account may not use this grant; check it in the Cloud console",
}
TYPE_NAME = re.compile(r"[A-Za-z_]{1,40}")


def looks_like_service_account_key(text: str) -> bool:
    """True for a JSON key file, False for a plain access token."""
    return text.strip().startswith("{")


def key_location(credentials: Credentials) -> str:
    """Where the key lives, for messages: the connection's field and the CLI's environment variable."""
    field_name = credentials.fields.split(":", 1)[0].strip() or "password"
    return (
        f"the Airflow connection '{credentials.conn_id}' ({field_name}) "
        f"or the environment variable {credentials.env_var}"
    )


@dataclass(frozen=True)
class ServiceAccountKey:
    client_email: str
    private_key_id: str
    token_uri: str
    where: str
    private_key: RSAPrivateKey = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, text: str, where: str) -> ServiceAccountKey:
        data = _json_object(text)
        if isinstance(data, str):
            raise _key_error(where, data)
        kind = data.get("type")
        if kind != "service_account":
            if isinstance(kind, str) and TYPE_NAME.fullmatch(kind):
                raise _key_error(where, f"is a Google credential of type '{kind}', not a service account's")
            raise _key_error(where, 'has no "type": "service_account"')
        missing = [name for name in REQUIRED_FIELDS if not _text(data.get(name))]
        if missing:
            raise _key_error(where, f"has no {', '.join(missing)}")
        token_uri = data.get("token_uri", DEFAULT_TOKEN_URI)
        if not isinstance(token_uri, str) or not token_uri.startswith(("https://", "http://")):
            raise _key_error(where, "has a token_uri that is not an http(s) URL")
        private_key = _rsa_key(str(data["private_key"]))
        if private_key is None:
            raise _key_error(
                where,
                "has a private_key that does not load as an unencrypted PEM RSA key (with its "
                "-----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines)",
            )
        return cls(
            client_email=str(data["client_email"]),
            private_key_id=str(data["private_key_id"]),
            token_uri=token_uri,
            where=where,
            private_key=private_key,
        )


class ServiceAccountTokens(requests.auth.AuthBase):
    """Access tokens for `key` with `scopes`, minted through `http` and cached until ~5 minutes are left."""

    def __init__(
        self,
        http: ApiSession,
        key: ServiceAccountKey,
        scopes: tuple[str, ...],
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not scopes:
            raise ValueError("ServiceAccountTokens needs at least one OAuth scope")
        self.http = http
        self.key = key
        self.scopes = scopes
        self.clock = clock
        self.minted = 0
        self._token: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"ServiceAccountTokens({self.key.client_email!r}, scopes={self.scopes!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.access_token()}"
        return request

    def access_token(self) -> str:
        now = self.clock()
        if self._token is None or now >= self._refresh_at:
            self._token, lifetime = self._mint(now)
            self._refresh_at = now + lifetime - min(REFRESH_MARGIN, lifetime / 2)
            self.minted += 1
        return self._token

    def assertion(self, now: float) -> str:
        issued = int(now)
        claims = {
            "iss": self.key.client_email,
            "scope": " ".join(self.scopes),
            "aud": self.key.token_uri,
            "iat": issued,
            "exp": issued + ASSERTION_LIFETIME,
        }
        return jwt.encode(
            claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.private_key_id}
        )

    def _mint(self, now: float) -> tuple[str, float]:
        assertion = self.assertion(now)
        rejected: requests.Response | None = None
        try:
            response = self.http.post(
                self.key.token_uri,
                data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion},
                headers={"Authorization": None, "Accept": "application/json"},
                auth=_no_auth,
            )
        except HttpError as exc:
            if exc.response is None:
                raise
            rejected = exc.response
        # Raised outside the except block: the session's error stays out of the chain.
        if rejected is not None:
            raise self._rejection(rejected, assertion)
        return self._token_from(response)

    def _token_from(self, response: requests.Response) -> tuple[str, float]:
        body = response_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not _text(token):
            raise BadResponse(
                f"POST {safe_url(self.key.token_uri)}: the token response has no access_token; "
                "rerun the task; if it persists check the key's token_uri"
            )
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 3600.0
        return str(token), lifetime

    def _rejection(self, response: requests.Response, assertion: str) -> CredentialsError:
        error, description = _oauth_error(response)
        said = f"{error}: {description}" if description else error
        said = said.replace(assertion, "***")
        help_text = GRANT_HELP.get(error, "check that the key and the service account are still valid")
        return CredentialsError(
            f"{self.key.where}: the token endpoint {safe_url(self.key.token_uri)} refused the service "
            f"account {self.key.client_email} (HTTP {response.status_code} {said}); {help_text}"
        )


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _json_object(text: str) -> dict[str, Any] | str:
    """The parsed object, or what is wrong with the text (never any of the text itself)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}; cut off?)"
    return data if isinstance(data, dict) else "is JSON but not an object ({...})"


def _rsa_key(pem: str) -> RSAPrivateKey | None:
    if "\\n" in pem and "\n" not in pem:
        pem = pem.replace("\\n", "\n")
    try:
        loaded = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return loaded if isinstance(loaded, RSAPrivateKey) else None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _key_error(where: str, problem: str) -> CredentialsError:
    return CredentialsError(f"{where}: the service-account key {problem}; {KEY_HELP}")


def _oauth_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return body["error"][:80], (description[:300] if isinstance(description, str) else "")
    return "error", re.sub(r"\s+", " ", response.text[:300]).strip() or response.reason or "(no body)"
