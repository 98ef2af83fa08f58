"""The public-service domain layer on VADER (transforms/sentiment_domain.py)."""

from transforms.sentiment import score_text


def test_politeness_inside_a_civic_complaint_is_not_positive() -> None:
    score = score_text("Please fix the huge pothole on Elm Street. Thank you!")
    assert score.compound is not None and score.compound < 0


def test_civic_problem_words_read_negative() -> None:
    score = score_text("The lot behind the library is overgrown and there is a rat infestation.")
    assert score.compound is not None and score.compound <= -0.3


def test_sarcasm_marker_flips_praise() -> None:
    score = score_text("Great job fixing our street, city. The potholes are all gone... NOT!")
    assert score.compound is not None and score.compound < 0


def test_a_long_negative_report_is_not_pulled_to_neutral() -> None:
    text = (
        "I have reported this sinkhole on our street three times. The crew came out once and put a "
        "cone next to it. Nothing else happened. It is now two feet deep and cars swerve into the "
        "other lane to avoid it. Someone is going to get hurt. This is unacceptable and dangerous. "
        "Our neighborhood pays the same taxes as everyone else. Please send someone who will actually "
        "fix it this time instead of leaving another cone."
    )
    score = score_text(text)
    assert score.compound is not None and score.compound <= -0.4


def test_texts_without_civic_cues_score_as_raw_vader() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    text = "Thank you so much, what a lovely day at the beach!"
    assert score_text(text).compound == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]


def test_nothing_to_improve_answer_reads_positive() -> None:
    for text in ("Nothing", "Nothing really.", "none", "Can't think of anything, thank you"):
        score = score_text(text)
        assert score.compound is not None and score.compound >= 0.5, text
        assert score.label == "positive", text


def test_nothing_inside_a_longer_complaint_is_not_an_answer() -> None:
    score = score_text("Nothing was done about my complaint and the staff were rude.")
    assert score.compound is not None and score.compound < 0


def test_a_suggestion_names_a_shortfall() -> None:
    for text in ("More staff at weekends would help", "Better parking", "Listen to what patients say"):
        score = score_text(text)
        assert score.compound is not None and score.compound <= -0.3, text


def test_praise_is_not_a_suggestion() -> None:
    score = score_text("The staff were kind and the nurse explained everything clearly.")
    assert score.compound is not None and score.compound > 0.5


_ONE_PER_CIVIC_CUE = (
    "pothole, pot holes, sinkhole, sidewalks, streets, road, alley, curb, storm drains, drainage, sewer, "
    "trash, garbage, recycling, bulk pickup, pickup, cart, debris, limbs, overgrown, grass, weeds, "
    "code violation, code enforcement, code compliance, streetlights, street light, signal, crosswalk, "
    "graffiti, abandoned, vacant, blighted, litter, dumping, city, county, 311, public works, council, "
    "inspector, permit, department, property, neighborhood, flooding, infestation, rats, hazardous, "
    "repaving, paving, reported"
)


def test_every_civic_cue_holds_one_of_the_stems_is_civic_tests_first() -> None:
    """is_civic skips the CIVIC_CUES regex for ASCII texts holding none of _CIVIC_STEMS: every match
    of the regex, in every real text, 20,000 variants and one example of each cue, holds a stem."""
    from bench.real_texts import real_texts
    from transforms.sentiment_domain import _CIVIC_STEMS, CIVIC_CUES, is_civic
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    texts += list(mutated_texts(texts, 20_000, seed=5)) if texts else []
    texts += _ONE_PER_CIVIC_CUE.split(", ")
    matches = [m.group(0).lower() for text in texts for m in CIVIC_CUES.finditer(text)]
    assert [m for m in matches if not any(stem in m for stem in _CIVIC_STEMS)] == []
    assert len(set(matches)) > 50
    assert all(is_civic(text) == (CIVIC_CUES.search(text) is not None) for text in texts)


_ONE_PER_REQUEST_FORMULA = [
    "I would like to request a pickup",
    "We would love to report this",
    "I would appreciate it",
    "would be greatly appreciated",
    "will be much appreciated",
    "Thank you so much in advance",
    "THANKS very much",
    "please",
    "Kindly",
    "appreciate your attention",
    "much appreciated",
    "With kind regards",
    "best regards",
    "Have a nice day",
]


def test_every_request_formula_holds_one_of_the_stems_depolite_tests_first() -> None:
    """_depolite skips the POLITENESS regex for ASCII texts holding none of _POLITE_STEMS: every match
    of the regex, in every real text, 20,000 variants and one example of each formula, holds a stem,
    and _depolite gives what the regex alone gives."""
    from bench.real_texts import real_texts
    from transforms.sentiment_domain import _POLITE_STEMS, POLITENESS, _depolite
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    texts += list(mutated_texts(texts, 20_000, seed=7)) if texts else []
    texts += _ONE_PER_REQUEST_FORMULA
    matches = [m.group(0).lower() for text in texts for m in POLITENESS.finditer(text)]
    assert [m for m in matches if not any(stem in m for stem in _POLITE_STEMS)] == []
    assert len(set(matches)) >= len(_ONE_PER_REQUEST_FORMULA)
    assert [t for t in texts if _depolite(t) != (" ".join(POLITENESS.sub(" ", t).split()) or t)] == []


def test_the_lower_case_twins_match_where_the_case_blind_patterns_do_in_ascii_texts() -> None:
    """is_civic, _depolite and adjust search the lower-case form of an ASCII text with a twin of each
    case-blind pattern: on every real ASCII text, 20,000 variants, their upper-case forms and one
    example of each cue and formula, the twin finds the same matches."""
    from bench.real_texts import real_texts
    from transforms import sentiment_domain as domain
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    texts += list(mutated_texts(texts, 20_000, seed=9)) if texts else []
    texts += _ONE_PER_CIVIC_CUE.split(", ") + _ONE_PER_REQUEST_FORMULA
    texts = [text for text in texts + [text.upper() for text in texts[::3]] if text.isascii()]
    pairs = [
        (domain.CIVIC_CUES, domain._CIVIC_CUES_LOWER),
        (domain.POLITENESS, domain._POLITENESS_LOWER),
        (domain._PROBLEM, domain._PROBLEM_LOWER),
    ]
    for pattern, twin in pairs:
        spans = [[m.span() for m in pattern.finditer(text)] for text in texts]
        assert spans == [[m.span() for m in twin.finditer(text.lower())] for text in texts]
        assert sum(map(bool, spans)) > 500
    assert all(domain._names_problem(t) == (domain._PROBLEM.search(t) is not None) for t in texts[::5])


def test_the_civic_shortcuts_give_the_civic_analyzers_scores_on_real_and_mutated_texts() -> None:
    """Where `_scored_as_vader` holds, the civic analyzer's compound is VADER's own; a sentence the civic
    negative risks rule out never scores below 0 with the civic lexicon. Every real text and 20,000
    variants."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from bench.real_texts import real_texts
    from transforms.sentiment import _scorer
    from transforms.sentiment_domain import _civic_analyzer, _depolite, _scored_as_vader, is_civic
    from transforms.text_clean import clean_for_sentiment
    from transforms.vader_fast import may_be_negative
    from transforms.vader_parity import mutated_texts

    vader, civic, scorer = SentimentIntensityAnalyzer(), _civic_analyzer(), _scorer()
    texts = [text for _, text in real_texts()]
    texts += list(mutated_texts(texts, 20_000, seed=17)) if texts else []
    texts += ["Huge pothole on Main St", "The city was a big help!", "Broken light. Thank you", "Rats!"]
    cleaned = [c for c in (clean_for_sentiment(t) for t in texts) if c and is_civic(c)]
    same = [c for c in cleaned if _scored_as_vader(c, _depolite(c))]
    assert [c for c in same if civic.compound(_depolite(c)) != vader.polarity_scores(c)["compound"]] == []
    sentences = [_depolite(s) for c in cleaned for s in scorer.sentences(c)]
    ruled_out = [s for s in sentences if not may_be_negative(s, civic.negative_risks)]
    assert [s for s in ruled_out if civic.compound(s) < 0] == []
    assert len(same) > 500 and len(ruled_out) > 1_000 and len(same) < len(cleaned)


_ONE_PER_OPENING = [
    "Nothing", "none", "no", "Nil.", "n/a", "NA", "not really", "no comment", "can't think of anything",
    "cannot think of anything", "...Nothing really",
    "more staff", "Less waiting", "fewer forms", "better parking", "quicker replies", "faster service",
    "shorter queues", "longer hours", "listen to patients", "Improvements to the website", "be more polite",
    "have more staff", "need better signs", "needs more chairs", "get more nurses", "give more time",
    "provide more information", "offer a bit more", "it would be nice", "would be good", "you should try",
    "should have", "could do more", "- more seats",
]  # fmt: skip


def test_nothing_answers_and_suggestions_open_as_adjust_tests_first() -> None:
    """adjust skips NOTHING_ANSWER and SUGGESTION for an ASCII text whose first two characters from its
    first word character are not among their openings: on every real text, 20,000 variants and one
    example of each alternative, every match has such an opening (scores: test_sentiment_parity.py)."""
    from bench.real_texts import real_texts
    from transforms.sentiment_domain import (
        _NON_WORD_ASCII,
        _NOTHING_OPENINGS,
        _SUGGESTION_OPENINGS,
        NOTHING_ANSWER,
        SUGGESTION,
    )
    from transforms.vader_parity import mutated_texts

    texts = [text for _, text in real_texts()]
    texts += list(mutated_texts(texts, 20_000, seed=19)) if texts else []
    texts += _ONE_PER_OPENING
    ascii_texts = [t for t in texts if t.isascii()]
    nothing = [t for t in ascii_texts if NOTHING_ANSWER.search(t)]
    suggestions = [t for t in ascii_texts if SUGGESTION.search(t)]
    assert [t for t in _ONE_PER_OPENING if t not in nothing and t not in suggestions] == []
    assert len(nothing) > 50 and len(suggestions) > 200

    def opening(text: str) -> str:
        return text.lstrip(_NON_WORD_ASCII)[:2].lower()

    assert [t for t in nothing if opening(t) not in _NOTHING_OPENINGS] == []
    assert [t for t in suggestions if opening(t) not in _SUGGESTION_OPENINGS] == []
