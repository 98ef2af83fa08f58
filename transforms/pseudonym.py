"""Keyed pseudonyms for author and caller ids: the hashing alone, so that processes which only
pseudonymize (the extract) do not compile the redaction patterns of transforms.privacy."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["pseudonymize"]


def pseudonymize(key: bytes, value: str, namespace: str = "") -> str:
    """A stable keyed pseudonym (HMAC-SHA256, first 24 hex characters) of `value` within `namespace`.

    The same key, namespace and value always give the same pseudonym, so one person's records can
    be grouped; without the key it cannot be reversed or recomputed from a guessed value. Namespaces
    (for example the source name) keep equal ids from different systems apart. `value` is used as
    given: normalise it first if the source is case-insensitive.
    """
    if not key:
        raise ValueError("pseudonymize needs a non-empty secret key")
    message = f"{len(namespace)}:{namespace}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]
