"""Service-account tokens against a local token endpoint that checks the signed assertion like Google."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from civicpulse.http import ApiSession, Credentials, CredentialsError, RetryPolicy
from civicpulse.oauth import (
    JWT_BEARER_GRANT,
    ServiceAccountKey,
    ServiceAccountTokens,
    key_location,
    looks_like_service_account_key,
)
from tests.http.fakes import FakeClock

CREDENTIALS = Credentials("ga4_default", "CIVICPULSE_GA4_TOKEN", "password: service-account JSON key")
WHERE = key_location(CREDENTIALS)
EMAIL = "civicpulse@riverton-analytics.iam.gserviceaccount.com"
KEY_ID = "5f0c2d1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
SCOPES = ("https://www.googleapis.com/auth/analytics.readonly", "openid")


@dataclass
class RsaKey:
    private: rsa.RSAPrivateKey
    pem: str

    @property
    def body(self) -> str:
        return "".join(line for line in self.pem.splitlines() if not line.startswith("-----"))


@pytest.fixture(scope="module")
def rsa_key() -> RsaKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return RsaKey(private, pem)


def _key_json(pem: str, token_uri: str | None, **changes: object) -> str:
    data: dict[str, object] = {
        "type": "service_account",
        "project_id": "riverton-analytics",
        "private_key_id": KEY_ID,
        "private_key": pem,
        "client_email": EMAIL,
        "client_id": "101234567890123456789",
        "token_uri": token_uri,
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None}, indent=2)


@dataclass
class TokenEndpoint:
    """Google's token endpoint in miniature: verifies the assertion and hands out numbered tokens."""

    public_key: rsa.RSAPublicKey
    audience: str
    expires_in: int = 3599
    grants: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        form = parse_qs(request.get_data(as_text=True))
        assertion = form.get("assertion", [""])[0]
        try:
            claims = jwt.decode(
                assertion,
                self.public_key,
                algorithms=["RS256"],
                audience=self.audience,
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            return _oauth_error(400, "invalid_grant", f"Invalid JWT: {type(exc).__name__}")
        self.grants.append(
            {
                "form": form,
                "claims": claims,
                "header": jwt.get_unverified_header(assertion),
                "authorization": request.headers.get("Authorization"),
                "content_type": request.headers.get("Content-Type"),
            }
        )
        body = {"access_token": f"ya29.minted-{len(self.grants)}", "expires_in": self.expires_in}
        return Response(json.dumps({**body, "token_type": "Bearer"}), content_type="application/json")


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, content_type="application/json")


def _session(clock: FakeClock) -> ApiSession:
    return ApiSession(
        CREDENTIALS,
        policy=RetryPolicy(max_attempts=4, timeout=(2.0, 5.0)),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )


@dataclass
class Setup:
    clock: FakeClock
    http: ApiSession
    tokens: ServiceAccountTokens
    endpoint: TokenEndpoint


@pytest.fixture
def setup(httpserver: HTTPServer, rsa_key: RsaKey) -> Setup:
    token_uri = httpserver.url_for("/token")
    clock = FakeClock()
    http = _session(clock)
    key = ServiceAccountKey.from_json(_key_json(rsa_key.pem, token_uri), WHERE)
    endpoint = TokenEndpoint(rsa_key.private.public_key(), token_uri)
    return Setup(clock, http, ServiceAccountTokens(http, key, SCOPES, clock=clock.now), endpoint)


def _serve_tokens(httpserver: HTTPServer, handler: Callable[[Request], Response]) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_handler(handler)


def test_a_token_is_minted_from_a_signed_assertion_and_used_for_the_api(
    httpserver: HTTPServer, setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    _serve_tokens(httpserver, setup.endpoint)
    httpserver.expect_request(
        "/v1beta/report", method="POST", headers={"Authorization": "Bearer ya29.minted-1"}
    ).respond_with_json({"rowCount": 0})
    setup.http.headers["Authorization"] = "Bearer api-only-token"
    setup.http.auth = setup.tokens
    with caplog.at_level(logging.DEBUG):
        report = setup.http.post(httpserver.url_for("/v1beta/report"), json={"limit": "10"})
    assert report.json() == {"rowCount": 0}

    [grant] = setup.endpoint.grants
    now = int(setup.clock.now())
    assert grant["form"]["grant_type"] == [JWT_BEARER_GRANT]
    assert grant["content_type"] == "application/x-www-form-urlencoded"
    assert grant["authorization"] is None
    assert grant["header"] == {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
    claims = grant["claims"]
    assert claims == {
        "iss": EMAIL,
        "aud": httpserver.url_for("/token"),
        "scope": " ".join(SCOPES),
        "iat": now,
        "exp": now + 3600,
    }
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "/token -> 200" in logged and "/v1beta/report -> 200" in logged
    assert "ya29.minted" not in logged and grant["form"]["assertion"][0] not in logged


def test_the_token_is_cached_within_its_lifetime(httpserver: HTTPServer, setup: Setup) -> None:
    _serve_tokens(httpserver, setup.endpoint)
    seen = set()
    for _ in range(6):
        seen.add(setup.tokens.access_token())
        setup.clock.current += 500
    assert seen == {"ya29.minted-1"} and len(setup.endpoint.grants) == 1 and setup.tokens.minted == 1


def test_a_new_token_is_minted_when_less_than_five_minutes_are_left(
    httpserver: HTTPServer, setup: Setup
) -> None:
    _serve_tokens(httpserver, setup.endpoint)
    first = setup.tokens.access_token()
    setup.clock.current += 3599 - 301
    assert setup.tokens.access_token() == first
    setup.clock.current += 2
    assert setup.tokens.access_token() == "ya29.minted-2" != first
    second_claims = setup.endpoint.grants[1]["claims"]
    assert second_claims["iat"] == int(setup.clock.now()) and len(setup.endpoint.grants) == 2


def test_a_5xx_from_the_token_endpoint_is_retried_by_the_session(
    httpserver: HTTPServer, setup: Setup
) -> None:
    httpserver.expect_oneshot_request("/token").respond_with_data("backend error", status=503)
    _serve_tokens(httpserver, setup.endpoint)
    assert setup.tokens.access_token() == "ya29.minted-1"
    assert setup.clock.sleeps == [0.5]


@pytest.mark.parametrize("status", [400, 401])
def test_invalid_grant_names_the_connection_and_the_reason_without_secrets(
    httpserver: HTTPServer, setup: Setup, rsa_key: RsaKey, status: int
) -> None:
    assertions: list[str] = []

    def refuse(request: Request) -> Response:
        assertions.append(parse_qs(request.get_data(as_text=True))["assertion"][0])
        return _oauth_error(status, "invalid_grant", "Invalid JWT Signature.")

    _serve_tokens(httpserver, refuse)
    with pytest.raises(CredentialsError) as caught:
        setup.tokens.access_token()
    message = str(caught.value)
    assert f"HTTP {status} invalid_grant: Invalid JWT Signature." in message
    assert "ga4_default" in message and "CIVICPULSE_GA4_TOKEN" in message and EMAIL in message
    assert "create a new JSON key" in message
    assert len(assertions) == 1 and setup.clock.sleeps == []
    _assert_no_key_material(caught.value, rsa_key, *assertions)


def test_a_token_endpoint_error_without_json_still_says_what_came_back(
    httpserver: HTTPServer, setup: Setup
) -> None:
    httpserver.expect_request("/token").respond_with_data("<html>Not Found</html>", status=404)
    with pytest.raises(CredentialsError, match=r"HTTP 404 error: <html>Not Found</html>"):
        setup.tokens.access_token()


def _pem_variants(pem: str) -> dict[str, str]:
    lines = pem.splitlines()
    middle = len(lines) // 2
    corrupted = [*lines[:middle], lines[middle][::-1], *lines[middle + 1 :]]
    return {
        "cut off": "\n".join(lines[:middle]),
        "corrupted": "\n".join(corrupted),
        "no armour": "".join(lines[1:-1]),
    }


def _bad_pem(variant: str) -> Callable[[str], str]:
    return lambda pem: _key_json(_pem_variants(pem)[variant], "https://t")


def _ec_pem() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


BAD_KEYS: dict[str, tuple[Callable[[str], str], str]] = {
    "truncated JSON": (lambda pem: _key_json(pem, "https://t")[:700], "is not valid JSON"),
    "JSON list": (lambda pem: json.dumps([pem]), "not an object"),
    "authorized_user": (
        lambda pem: _key_json(pem, "https://t", type="authorized_user"),
        "of type 'authorized_user', not a service account's",
    ),
    "no type": (lambda pem: _key_json(pem, "https://t", type=None), 'has no "type": "service_account"'),
    "missing fields": (
        lambda pem: _key_json(pem, "https://t", client_email=None, private_key_id=""),
        "has no client_email, private_key_id",
    ),
    "bad token_uri": (lambda pem: _key_json(pem, "oauth2.googleapis.com"), "token_uri"),
    "EC key": (lambda pem: _key_json(_ec_pem(), "https://t"), "PEM RSA key"),
    **{f"PEM {name}": (_bad_pem(name), "PEM RSA key") for name in ("cut off", "corrupted", "no armour")},
}


@pytest.mark.parametrize("case", BAD_KEYS)
def test_a_bad_key_says_what_is_wrong_and_where_without_key_material(rsa_key: RsaKey, case: str) -> None:
    make, problem = BAD_KEYS[case]
    with pytest.raises(CredentialsError) as caught:
        ServiceAccountKey.from_json(make(rsa_key.pem), WHERE)
    message = str(caught.value)
    assert message.startswith(WHERE + ": the service-account key ") and problem in message
    assert "Keys > Add key" in message
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    _assert_no_key_material(caught.value, rsa_key)


def test_the_key_and_tokens_never_show_secrets_in_repr(setup: Setup, rsa_key: RsaKey) -> None:
    shown = repr(setup.tokens.key) + str(setup.tokens.key) + repr(setup.tokens)
    assert EMAIL in shown and KEY_ID in shown
    assert not _leaks(shown, rsa_key.body) and "PRIVATE KEY" not in shown


def test_a_key_with_escaped_newlines_from_an_env_var_still_loads(rsa_key: RsaKey) -> None:
    text = _key_json(rsa_key.pem.replace("\n", "\\n"), "https://oauth2.googleapis.com/token")
    key = ServiceAccountKey.from_json(text, WHERE)
    assert key.private_key.private_numbers() == rsa_key.private.private_numbers()


def test_the_token_uri_defaults_to_google(rsa_key: RsaKey) -> None:
    key = ServiceAccountKey.from_json(_key_json(rsa_key.pem, None), WHERE)
    assert key.token_uri == "https://oauth2.googleapis.com/token"


def test_a_plain_access_token_is_told_from_a_key(rsa_key: RsaKey) -> None:
    assert looks_like_service_account_key("  \n" + _key_json(rsa_key.pem, "https://t"))
    assert not looks_like_service_account_key("ya29.a0AfB_byC-plain-access-token")
    assert not looks_like_service_account_key("")


def test_key_location_names_the_connection_field_and_env_var() -> None:
    assert (
        WHERE
        == "the Airflow connection 'ga4_default' (password) or the environment variable CIVICPULSE_GA4_TOKEN"
    )


def _leaks(text: str, secret: str, width: int = 16) -> bool:
    return any(secret[i : i + width] in text for i in range(0, max(1, len(secret) - width + 1), 4))


def _assert_no_key_material(exc: BaseException, rsa_key: RsaKey, *more: str) -> None:
    shown = "".join(traceback.format_exception(exc)) + repr(exc)
    for secret in (rsa_key.body, *more):
        assert not _leaks(shown, secret)
