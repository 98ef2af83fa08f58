"""VADER sentiment for feedback texts: cleaned, language-gated, sentence-aware, parallel.

How a text is scored (`score_text`):

1. `clean_for_sentiment` removes HTML, URLs and '#' but keeps VADER's cues (caps, "!!!", emoji).
2. `detect_language`: VADER is English-only, so texts in another language are returned with
   label 'unscored', scores None and their language. 'und' texts (emoji, emoticons, a single
   unknown word) are scored: VADER's emoji and emoticon lexicon does not depend on the language.
3. The text is split into sentences (only when it may contain a sentence boundary) by
   `split_paragraph`, a rule splitter that follows pysbd's English rules at a fraction of its cost;
   where it differs from pysbd on the shared real texts, the difference is listed and justified in
   tests/data/sentence_split_differences.tsv (checked by tests/transforms/test_sentence_split.py).
   Every sentence is scored, which gives `sentence_count` and the most negative sentence.
4. The document score depends on length:

   * Up to `WHOLE_TEXT_MAX_WORDS` words (social posts, most survey comments and short notes) the
     document score is VADER on the whole cleaned text, exactly as raw VADER would score it. VADER
     was designed and validated on such texts, and its cross-sentence cues ("... but", "!" counted
     over the text, one word in caps among lower-case ones) need the whole text. Measured on VADER's
     4,200 human-rated tweets, replacing whole-text scores by a length-weighted mean of sentence
     scores for multi-sentence tweets lowers Pearson r from 0.873 to 0.805 (equal weights: 0.821):
     short emphatic sentences ("So lucky.", "Die die die") carry the sentiment and get little weight.
   * Longer texts (long call notes, long survey comments) score the length-weighted mean (weights =
     words per sentence) of the sentence scores, for compound, pos, neu and neg alike. Whole-text
     VADER adds up valence over all sentences, so any long text saturates towards -1 or +1 and a long
     note that is mostly neutral but mentions a few complaints reads as strongly negative; a mean of
     sentence scores measures the tone per sentence instead, stays comparable with short texts in
     trend averages, and weighting by length keeps fragments ("Ok.", "Thanks.") from swinging it.
     The public ground truth has no texts this long, so this path is not validated against human
     ratings.

Only the first `MAX_SCORED_CHARS` characters of a text are scored (pasted email threads).

`SCORER_VERSION` is part of the sentiment cache key: bump `_REVISION` whenever cleaning, language
gating, splitting or aggregation changes the scores.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple, cast

from pysbd.lang.english import English  # type: ignore[import-untyped]
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

from transforms.language import DETECTOR_VERSION, detect_language
from transforms.sentiment_domain import DOMAIN_REVISION, adjust, warm_civic
from transforms.text_clean import clean_for_sentiment
from transforms.vader_fast import (
    compound_function,
    may_be_negative,
    negative_risks,
    polarity_function,
)

__all__ = [
    "PARALLEL_MIN_TEXTS",
    "SCORED_LANGUAGES",
    "SCORER_VERSION",
    "WHOLE_TEXT_MAX_WORDS",
    "SentimentScore",
    "score_text",
    "score_texts",
]


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


_REVISION = "2"  # 2: split_paragraph instead of pysbd (listed differences)
SCORER_VERSION = (
    f"cp{_REVISION}-vader{_package_version('vaderSentiment')}-lang{DETECTOR_VERSION}-domain{DOMAIN_REVISION}"
)

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
WHOLE_TEXT_MAX_WORDS = 60
MAX_SCORED_CHARS = 20_000
PARALLEL_MIN_TEXTS = 2_000
SCORED_LANGUAGES = frozenset({"en", "und"})

_STOP_THEN_MORE = re.compile(r"[.!?\u2026;]['\")\]]*\s+\S")


def _maybe_several_sentences(text: str) -> bool:
    """Whether `text` may hold more than one sentence: a line break, or a stop followed by white space
    and more text (the line break tested apart: one regex with both alternatives is twice as slow)."""
    return "\n" in text or _STOP_THEN_MORE.search(text) is not None


# A sentence ends at a run of '.', '!' or '?' (and any closing quotes or brackets) followed by white
# space, except where pysbd's English rules keep the sentence going (`split_paragraph`).
_BOUNDARY = re.compile(r"([.!?]+)([\"')\]]*)[ \t]+(?=(\S))")
_ABBREVIATIONS = frozenset(a.lower() for a in English.Abbreviation.ABBREVIATIONS)
_PREPOSITIVE = frozenset(English.Abbreviation.PREPOSITIVE_ABBREVIATIONS)  # "Dr. Smith"
_BEFORE_NUMBER = frozenset(English.Abbreviation.NUMBER_ABBREVIATIONS)  # "No. 5"
_ENCLOSED = re.compile(r'"[^"\n]*"|\([^()\n]*\)')  # pysbd keeps a quotation or a parenthesis whole
_ABBREVIATION_GOES_ON = re.compile(r"[a-z0-9(]|I(?:'m|'ll)?\b")  # "Rd. and", "me. I felt"
_CLOCK = frozenset({"a.m", "p.m"})  # "at 5 p.m. It was": the only dotted abbreviations that end a sentence
_TOKEN_OPENERS = "\"'([@"


def _sentence_goes_on(paragraph: str, start: int, boundary: re.Match[str]) -> bool:
    """Whether pysbd's rules keep the sentence that began at `start` going past `boundary`."""
    stop, closing, following = boundary.groups()
    if closing and following.islower():
        return True
    if stop.startswith(".."):
        return not following.isupper()
    if stop != ".":
        return (len(stop) >= 3 and "." not in stop) or (stop == "!" and following.islower())
    word = paragraph[max(start, paragraph.rfind(" ", start, boundary.start()) + 1) : boundary.start()]
    word = word.lstrip(_TOKEN_OPENERS).lower()
    if len(word) == 1 and word.isalpha():
        return True
    if word.isdigit() and len(word) <= 2 and paragraph[start : boundary.start()] == word:
        return True  # a list item's number ("1. Nothing gets done")
    if "." in word:
        return word not in _CLOCK or not following.isupper()
    if word in _BEFORE_NUMBER:
        return following.isdigit()
    return word in _ABBREVIATIONS and (
        word in _PREPOSITIVE or _ABBREVIATION_GOES_ON.match(paragraph, boundary.end()) is not None
    )


def split_paragraph(paragraph: str) -> list[str]:
    """The sentences of one paragraph (no line breaks), each with its trailing space.

    pysbd's English rules, without pysbd (tests/transforms/test_sentence_split.py compares both on
    every shared real text; the differences are listed in tests/data/sentence_split_differences.tsv).
    A sentence ends at a stop followed by white space, but not after:

    * an initial ("E. Boone"), a list item's number ("1. Nothing gets done"), a dotted abbreviation
      ("U.S. Postal"; "5 p.m. It" ends one), a prepositive abbreviation ("Dr. Smith"), a number
      abbreviation before a digit ("No. 5"), another abbreviation before a lower-case letter, a
      digit, '(' or "I" ("Rd. and", "me. I felt");
    * a single '!', or a closing quote or bracket, before a lower-case letter;
    * a run of three or more '!' or '?' ("AWESOME!!! GREAT song");
    * an ellipsis, unless a capital follows ("fun... but then");
    * a stop inside a quotation or parenthesis ('"Content is king. Creativity is queen."').

    Unlike pysbd, an ellipsis is never cut into '..' and '.'.
    """
    parts: list[str] = []
    start = 0
    enclosed = (
        [m.span() for m in _ENCLOSED.finditer(paragraph)] if '"' in paragraph or "(" in paragraph else []
    )
    for boundary in _BOUNDARY.finditer(paragraph):
        if enclosed and any(left < boundary.end() - 1 < right for left, right in enclosed):
            continue
        if _sentence_goes_on(paragraph, start, boundary):
            continue
        parts.append(paragraph[start : boundary.end()])
        start = boundary.end()
    parts.append(paragraph[start:])
    return parts


class SentimentScore(NamedTuple):
    """Scores of one text. `compound`, `pos`, `neu`, `neg` are None when `label` is 'unscored'.

    `most_negative_sentence` is the lowest-scoring sentence when it is negative (compound <= -0.05),
    else None; `sentence_count` is 0 for unscored texts.

    A named tuple, not a frozen dataclass: a fifth of the cost to build (one per text) and to send
    back from a worker as a plain tuple; the same fields and repr.
    """

    compound: float | None
    pos: float | None
    neu: float | None
    neg: float | None
    label: str
    language: str
    sentence_count: int
    most_negative_sentence: str | None
    most_negative_compound: float | None


def _label(compound: float) -> str:
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


class _Scorer:
    """One VADER analyzer; one instance per process."""

    def __init__(self) -> None:
        self._analyzer: Any = SentimentIntensityAnalyzer()
        # transforms.vader_fast: the same dicts, faster; CIVICPULSE_VADER=reference for plain VADER
        self._polarity_scores = polarity_function(self._analyzer)
        self._compound = compound_function(self._analyzer)
        self._negative_risks = negative_risks(self._analyzer.lexicon)
        self.texts_scored = 0

    def sentences(self, text: str) -> list[str]:
        if not _maybe_several_sentences(text):
            return [text]
        found: list[str] = []
        for paragraph in text.split("\n"):
            found.extend(filter(None, map(str.strip, split_paragraph(paragraph))))
        return found or [text]

    def polarity(self, text: str) -> dict[str, float]:
        return self._polarity_scores(text)

    def sentence_compound(self, sentence: str) -> float:
        """VADER's compound score of a sentence."""
        return self._compound(sentence)

    def worst_sentence(self, sentences: Sequence[str]) -> tuple[int, float]:
        """The index and compound score of the lowest-scoring sentence, exact whenever that score is
        below 0. A sentence `_may_be_negative` rules out scores 0.0 or more and is not scored: it
        counts as 0.0, which changes neither a negative minimum nor the absence of one."""
        compounds = [self.sentence_compound(s) if self._may_be_negative(s) else 0.0 for s in sentences]
        index = min(range(len(sentences)), key=compounds.__getitem__)
        return index, compounds[index]

    def _may_be_negative(self, sentence: str) -> bool:
        """False only for an ASCII sentence whose VADER valences are all 0 or more (`may_be_negative`)."""
        return may_be_negative(sentence, self._negative_risks)

    def score(self, text: str) -> SentimentScore:
        self.texts_scored += 1
        cleaned = clean_for_sentiment(text[:MAX_SCORED_CHARS])
        language = detect_language(cleaned) if cleaned else "und"
        if not cleaned or language not in SCORED_LANGUAGES:
            return SentimentScore(None, None, None, None, "unscored", language, 0, None, None)
        sentences = self.sentences(cleaned)
        whole_text = True  # the document score is VADER's score of the whole text
        if len(sentences) == 1:
            doc = self.polarity(cleaned)
            worst_sentence, worst = cleaned, doc["compound"]
        elif len(cleaned.split()) <= WHOLE_TEXT_MAX_WORDS:
            worst_index, worst = self.worst_sentence(sentences)
            worst_sentence = sentences[worst_index]
            doc = self.polarity(cleaned)
        else:
            per_sentence = [self.polarity(s) for s in sentences]
            worst_index = min(range(len(sentences)), key=lambda i: per_sentence[i]["compound"])
            worst_sentence, worst = sentences[worst_index], per_sentence[worst_index]["compound"]
            doc = _length_weighted_mean(sentences, per_sentence)
            whole_text = False
        doc = adjust(cleaned, sentences, doc, whole_text=whole_text)
        negative = worst <= NEGATIVE_THRESHOLD
        return SentimentScore(
            compound=doc["compound"],
            pos=doc["pos"],
            neu=doc["neu"],
            neg=doc["neg"],
            label=_label(doc["compound"]),
            language=language,
            sentence_count=len(sentences),
            most_negative_sentence=worst_sentence if negative else None,
            most_negative_compound=worst if negative else None,
        )


def _length_weighted_mean(sentences: list[str], scores: list[dict[str, float]]) -> dict[str, float]:
    weights = [max(1, len(s.split())) for s in sentences]
    total = sum(weights)
    return {
        key: round(math.fsum(w * s[key] for w, s in zip(weights, scores, strict=True)) / total, digits)
        for key, digits in (("compound", 4), ("pos", 3), ("neu", 3), ("neg", 3))
    }


_process_scorer: _Scorer | None = None


def _scorer() -> _Scorer:
    global _process_scorer
    if _process_scorer is None:
        _process_scorer = _Scorer()
    return _process_scorer


def warm() -> None:
    """Build this process's analyzers (VADER's and the civic one) and langdetect profiles before the
    first text."""
    from transforms.language import warm_langdetect

    _scorer()
    warm_civic()
    warm_langdetect()


def _score_chunk(texts: list[str]) -> list[SentimentScore]:
    scorer = _scorer()
    return [scorer.score(t) for t in texts]


def _worker_loop(connection: Connection) -> None:
    """A worker: scores each chunk of texts it receives until None. It sends back the scores as plain
    tuples (named tuples pickle through a Python method, several times slower to unpickle), the CPU
    seconds the chunk took and its process id (workers of a forkserver are not this process's
    children, so their CPU time is reported back); or the exception that stopped it."""
    scorer = _scorer()
    pid = os.getpid()
    with connection:
        while (texts := connection.recv()) is not None:
            started = time.process_time()
            try:
                rows = [tuple(scorer.score(t)) for t in texts]
            except Exception as error:
                connection.send(error)
                return
            connection.send((rows, time.process_time() - started, pid))


# CPU seconds the workers of this process spent scoring, in all and per worker process, for benchmarks
worker_cpu_seconds = 0.0
worker_cpu_by_pid: dict[int, float] = {}


def score_text(text: str) -> SentimentScore:
    """Score one text (see the module docstring for how)."""
    return _scorer().score(text)


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _os_thread_count() -> int:
    """Threads of this process, native ones included (DuckDB's, Airflow's), where the OS says."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count() if threading.active_count() > 1 else 2


_PRELOAD = ["transforms.sentiment_preload"]
_MAX_CHUNK = 2_000  # texts; progress is reported after each chunk
_MIN_CHUNK = 25


def _chunks(texts: list[str], n_workers: int) -> list[list[str]]:
    """`texts` in chunks that shrink as the batch goes (guided scheduling): each chunk is a
    2 * `n_workers`-th of the texts not yet in a chunk, between `_MIN_CHUNK` and `_MAX_CHUNK`. Workers
    take the next chunk when they finish one, so the last to finish has only a small chunk left when
    the other runs dry, with a few dozen round trips in all, not one per small chunk."""
    chunks: list[list[str]] = []
    start = 0
    while start < len(texts):
        size = max(_MIN_CHUNK, min(_MAX_CHUNK, math.ceil((len(texts) - start) / (2 * n_workers))))
        chunks.append(texts[start : start + size])
        start += size
    return chunks


def _process_context() -> multiprocessing.context.BaseContext:
    """How workers start. fork when this process has a single thread: the workers then start in
    milliseconds with the analyzer already built. Forking a process with other threads (an open
    DuckDB connection's, Airflow's task runner's) can copy a lock another thread holds and hang the
    child, so then forkserver: a clean single-threaded server that imports and warms the scorer once
    (`transforms.sentiment_preload`) and forks every worker from that. spawn only without either."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _os_thread_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _score_in_workers(
    context: multiprocessing.context.BaseContext, n_workers: int, chunks: list[list[str]]
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Each chunk's index and scores (plain tuples), in the order they finish, from `n_workers`
    processes fed one chunk at a time over a pipe each. No executor: its management and feeder
    threads and queues cost this process more CPU than the few dozen chunks of a batch need."""
    global worker_cpu_seconds
    pipes: dict[Connection, int] = {}  # this end of each worker's pipe -> index of its chunk, or -1
    processes = []
    try:
        for _ in range(n_workers):
            here, there = context.Pipe()
            process = context.Process(target=_worker_loop, args=(there,), daemon=True)  # type: ignore[attr-defined]
            process.start()
            there.close()
            processes.append(process)
            pipes[here] = -1
        queued = iter(range(len(chunks)))
        for connection in pipes:
            pipes[connection] = _give(connection, chunks, queued)
        while any(index >= 0 for index in pipes.values()):
            for ready in wait([c for c, index in pipes.items() if index >= 0]):
                connection = cast(Connection, ready)
                try:
                    message = connection.recv()
                except (EOFError, OSError) as error:  # the worker died (killed, out of memory)
                    raise RuntimeError("a sentiment worker exited before returning its chunk") from error
                if isinstance(message, BaseException):
                    raise message
                index = pipes[connection]
                pipes[connection] = _give(connection, chunks, queued)  # the worker goes on meanwhile
                rows, cpu_seconds, pid = message
                worker_cpu_seconds += cpu_seconds
                worker_cpu_by_pid[pid] = worker_cpu_by_pid.get(pid, 0.0) + cpu_seconds
                yield index, rows
        for process in processes:
            process.join()
    finally:
        for connection in pipes:
            connection.close()
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()


def _give(connection: Connection, chunks: list[list[str]], queued: Iterator[int]) -> int:
    """Send the next chunk to a worker and return its index, or tell the worker to stop and return -1."""
    index = next(queued, -1)
    connection.send(chunks[index] if index >= 0 else None)
    return index


def score_texts(
    texts: Sequence[str],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SentimentScore]:
    """Score `texts`, in order. Identical texts are scored once.

    Distinct texts are spread in chunks over `workers` processes (default: the CPUs this process
    may use), each with its own analyzer and segmenter. Fewer than `PARALLEL_MIN_TEXTS` distinct
    texts (three times as many when workers cannot fork: a forkserver first imports and warms the
    scorer, about a CPU-second), or one worker, are scored in this process, where starting workers
    would cost more than it saves. `progress(done, total)` is called after each chunk and counts
    distinct texts.
    """
    unique = list(dict.fromkeys(texts))
    total = len(unique)
    n_workers = max(1, workers if workers is not None else _default_workers())
    n_workers = min(n_workers, max(1, total))
    chunks = _chunks(unique, n_workers)
    results: list[list[SentimentScore]] = [[] for _ in chunks]
    done = 0
    context = _process_context() if n_workers > 1 else None
    forks = context is not None and context.get_start_method() == "fork"
    if context is None or total < PARALLEL_MIN_TEXTS * (1 if forks else 3):
        for index, chunk in enumerate(chunks):
            results[index] = _score_chunk(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    else:
        if forks:
            warm()  # built once here, inherited by every forked worker
        for index, rows in _score_in_workers(context, n_workers, chunks):
            results[index] = list(map(SentimentScore._make, rows))
            done += len(chunks[index])
            if progress is not None:
                progress(done, total)
    if len(unique) == len(texts):  # no text twice: the chunks hold `texts` in order
        return [score for scored in results for score in scored]
    by_text = {
        text: score
        for chunk, scored in zip(chunks, results, strict=True)
        for text, score in zip(chunk, scored, strict=True)
    }
    return [by_text[text] for text in texts]
