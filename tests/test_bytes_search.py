"""tests.bytes_search.found_in finds exactly the needles `needle in data` finds."""

from __future__ import annotations

import random

import pytest

from tests.bytes_search import found_in


def test_found_in_finds_what_in_finds() -> None:
    rng = random.Random(7)
    data = rng.randbytes(200_000) + b"hello world" + "zebras".encode("utf-32-le") + b"tail"
    needles = [
        b"hello world",
        b"hello worlds",
        "zebras".encode("utf-32-le"),
        b"world\x00",
        b"tail\x00\x00",
        b"d" * 6,
        *(data[i : i + rng.randint(6, 30)] for i in rng.sample(range(len(data) - 30), 200)),
        *(rng.randbytes(rng.randint(6, 12)) for _ in range(200)),
    ]
    found = found_in(data, needles)
    assert found == [needle for needle in needles if needle in data]
    assert len(found) >= 202 and b"hello worlds" not in found


def test_a_needle_shorter_than_the_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter than 6 bytes"):
        found_in(b"abcdefgh", [b"abc"])
