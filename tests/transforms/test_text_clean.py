import json
import sys
import unicodedata

import pytest

from tests.conftest import SHARED_REAL
from transforms.text_clean import clean_for_sentiment, strip_html

MASTODON = SHARED_REAL / "api_samples" / "mastodon" / "public_timeline.json"


@pytest.mark.parametrize(
    "text",
    [
        "I LOVE the new DMV site!!! :) 😀",
        "Worst. Service. EVER. >:( 😡😡",
        "not bad at all... <3 :-D ;)",
        "Why is my bill $312?!? 🙄",
        "Thanks, Maria — you're the best 👍🏽",
    ],
)
def test_keeps_emoji_emoticons_caps_and_punctuation(text: str) -> None:
    assert clean_for_sentiment(text) == text


def test_strips_mastodon_html_and_unescapes_entities() -> None:
    html = (
        '<p><span class="h-card"><a href="https://x.social/@cityhall" class="u-url mention">@<span>cityhall'
        "</span></a></span> I can&#39;t pay my bill &amp; the site is down &lt;3</p><p>Fix it!</p>"
    )
    assert clean_for_sentiment(html) == "@cityhall I can't pay my bill & the site is down <3\nFix it!"


def test_real_mastodon_statuses_lose_all_markup() -> None:
    statuses = json.loads(MASTODON.read_text(encoding="utf-8"))
    cleaned = [clean_for_sentiment(status["content"]) for status in statuses]
    assert cleaned and all("<p>" not in c and "</" not in c and "&#39;" not in c for c in cleaned)
    assert "you can't say that on television" in cleaned


def test_link_text_split_over_spans_is_removed_with_the_url() -> None:
    html = (
        '<p>Pay here <a href="https://riverton.gov/pay"><span class="invisible">https://</span>'
        '<span class="ellipsis">riverton.gov/utilities/pa</span><span class="invisible">y</span></a> ok</p>'
    )
    assert clean_for_sentiment(html) == "Pay here ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Renew at https://riverton.gov/dmv/renew?x=1 today", "Renew at today"),
        ("see www.riverton.gov/permits.", "see ."),
        ("portal riverton.gov/pay is slow", "portal is slow"),
        ("Check riverton.gov for hours", "Check for hours"),
        ("It costs 3.5 times more, e.g. $45", "It costs 3.5 times more, e.g. $45"),
        ("write to jane@riverton.gov", "write to jane@riverton.gov"),
    ],
)
def test_drops_urls_only(text: str, expected: str) -> None:
    assert clean_for_sentiment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#fail again at the #DMV", "fail again at the DMV"),
        ("#NeverAgain #LongLines", "Never Again Long Lines"),
        ("#long_wait today", "long wait today"),
        ("we're #1 in C# jobs", "we're 1 in C# jobs"),
    ],
)
def test_hashtags_keep_their_words(text: str, expected: str) -> None:
    assert clean_for_sentiment(text) == expected


def test_whitespace_collapses_but_line_breaks_survive() -> None:
    text = "  Caller upset\u00a0 about   fee.\r\n\r\n\tAgent   waived it.  \n"
    assert clean_for_sentiment(text) == "Caller upset about fee.\nAgent waived it."


def test_typographic_apostrophes_become_ascii_for_vader_negations() -> None:
    assert clean_for_sentiment("I don\u2019t like it \u201cat all\u201d") == 'I don\'t like it "at all"'


def test_strip_html_leaves_plain_text_with_angle_brackets_alone() -> None:
    assert strip_html("5 < 6 and 7 > 3 <3") == "5 < 6 and 7 > 3 <3"
    assert clean_for_sentiment("") == ""


def _real_and_mutated_texts() -> list[str]:
    from bench.real_texts import real_texts
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    if not texts:
        pytest.skip("shared real data not found")
    extra = [
        "see www.City.gov/x now",
        "HTTP://EXAMPLE.ORG",
        "mail me at a@b.co",
        "visit example.social/@me",
        "tabs\tand\x0bvertical\x1fspaces",
        "two  spaces",
        "non-ascii\u00a0space\u2003here",
    ]
    return texts + list(mutated_texts(texts, 20_000, seed=3)) + extra


def test_the_cheap_tests_skip_a_substitution_only_where_it_changes_nothing() -> None:
    """clean_for_sentiment skips _URL and _SPACES on texts their cheap tests rule out and NFC and
    _QUOTES on ASCII texts (and detect_language _NOISE): on every real text and 20,000 variants, the
    skipped substitution would have left the text unchanged."""
    from transforms import language, text_clean

    skipped = {"url": 0, "spaces": 0, "noise": 0, "unicode": 0}
    for text in _real_and_mutated_texts():
        if not text_clean._MAYBE_URL.search(text):
            skipped["url"] += 1
            assert text_clean._URL.sub(" ", text) == text
        if text_clean._single_spaces(text):
            skipped["spaces"] += 1
            assert text_clean._SPACES.sub(" ", text) == text
        if text.isascii():
            skipped["unicode"] += 1
            assert unicodedata.normalize("NFC", text).translate(text_clean._QUOTES) == text
        if not language._MAYBE_NOISE.search(text):
            skipped["noise"] += 1
            assert language._NOISE.sub(" ", text) == text
    assert min(skipped.values()) > 5_000
    # every white-space character, where a printable text could hide one
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    assert len(spaces) > 20
    texts = [t for c in spaces for t in (f"a{c}b", f"\u00e9{c}b", f"\U0001f600 {c}x")]
    assert [t for t in texts if text_clean._single_spaces(t) and text_clean._SPACES.sub(" ", t) != t] == []


def test_noise_removal_with_cheap_tests_first_is_the_substitution() -> None:
    """detect_language's `_without_noise` (substring tests, and `_NOISE` without its domain alternative
    where no domain ending is) gives `_NOISE.sub` on every real text and 20,000 variants, in either case;
    clean_for_sentiment's `_maybe_url` answers as `_MAYBE_URL` does."""
    from transforms import language, text_clean

    texts = _real_and_mutated_texts()
    texts += [text.upper() for text in texts[::7]] + ["a.COM b", "x.Gov/é", "é #tag", "ｗｗｗ.x"]
    assert [t for t in texts if language._without_noise(t) != language._NOISE.sub(" ", t)] == []
    url_answers = [text_clean._MAYBE_URL.search(t) is not None for t in texts]
    assert [text_clean._maybe_url(t) for t in texts] == url_answers
    assert sum(language._without_noise(t) != t for t in texts) > 1_000
