import importlib
import re

import pytest

from transforms.street_suffixes import COMMON, EXTENDED, alternation


@pytest.mark.parametrize("locale", ["en_US", "en_GB", "en_CA", "en_AU", "en_NZ"])
def test_every_faker_street_suffix_is_known(locale: str) -> None:
    provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
    known = COMMON | EXTENDED
    missing = {
        s for s in provider.street_suffixes if s.lower() not in known and s.split()[-1].lower() not in known
    }
    assert not missing


def test_alternation_matches_exactly_the_words() -> None:
    words = ["st", "str", "street", "streets", "rd", "cul-de-sac", "right of way"]
    pattern = re.compile(alternation(words))
    for word in words:
        assert pattern.fullmatch(word)
    for other in ("s", "stre", "streetss", "r", "cul", "right of"):
        assert not pattern.fullmatch(other)


def test_ambiguous_abbreviations_are_left_out() -> None:
    assert not {"is", "un"} & (COMMON | EXTENDED)


def test_types_beyond_faker_and_usps_are_known_and_case_sensitive() -> None:
    assert {"slip", "wharf", "boardwalk", "lawns"} <= EXTENDED
    assert not {"slip", "wharf"} & COMMON
