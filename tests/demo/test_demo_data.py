"""The demo city generator: vendor formats, determinism, variety of language and the planted signals."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from civicpulse.demo import FOLDERS, GenerationSummary, generate
from civicpulse.demo.city import (
    FORM_OPTIONS,
    PLAIN_EXPORT_FORMS,
    SERVICES,
    SERVICES_BY_ID,
    TIMEZONE,
    UNMAPPED_PAGES,
)
from civicpulse.demo.signals import DMV_OUTAGE, PERMITS_STAFFING, SIGNALS, UTILITY_FEE_INCREASE

START = dt.date(2026, 6, 1)
DAYS = 60
END = START + dt.timedelta(days=DAYS - 1)
BEFORE_OUTAGE = (START, DMV_OUTAGE.start - dt.timedelta(days=1))
OUTAGE = (DMV_OUTAGE.start, DMV_OUTAGE.end or END)
BEFORE_NOTICE = (START, (UTILITY_FEE_INCREASE.announced or START) - dt.timedelta(days=1))
AFTER_FEE = (UTILITY_FEE_INCREASE.start, END)
BEFORE_STAFFING = (START, PERMITS_STAFFING.start - dt.timedelta(days=1))
AFTER_STAFFING = (PERMITS_STAFFING.start, END)

INDICATORS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")
A11_V2 = [
    "external_id",
    "question_1",
    "positive_effectiveness",
    "positive_ease",
    "positive_efficiency",
    "positive_transparency",
    "positive_humanity",
    "positive_employee",
    "positive_other",
    "negative_effectiveness",
    "negative_ease",
    "negative_efficiency",
    "negative_transparency",
    "negative_humanity",
    "negative_employee",
    "negative_other",
    "question_4",
]
COMBINED_FIELDS = [
    "Location Code",
    "User Agent",
    "Status",
    "Archived",
    "Flagged",
    "Deleted",
    "Deleted at",
    "Page",
    "Query string",
    "Hostname",
    "Referrer",
    "Created at",
    "Tags",
]
CALL_HEADER = [
    "call_id",
    "start_time",
    "queue",
    "wait_seconds",
    "handle_seconds",
    "disposition",
    "resolved",
    "repeat_contact",
    "caller_number",
    "agent_id",
    "notes",
]
SURVEY_HEADER = [
    "respondent_id",
    "response_date",
    "service_used",
    "satisfaction",
    "trust",
    "ease",
    "comment",
    "language",
]
SURVEY_CHOICES = {
    "Property taxes",
    "Driver's license / vehicle registration",
    "Business license",
    "Utility bill (water/sewer)",
    "Building permit",
    "Housing assistance",
    "Parks & recreation",
    "Trash & recycling",
    "311 / general city information",
}
TWITTER_EPOCH_MS = 1288834974657
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
PII = re.compile(
    r"\(?\b\d{3}\)?[ .-]?555[ .-]?\d{4}\b|[\w.]+@[\w-]+\.(?:com|net)\b|\b\d{3,4} (?:[NSEW] )?[A-Z]\w+ "
    r"(?:St|Ave|Rd|Dr|Ln|Blvd)\b"
)
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")

DMV_WORDS = ("dmv", "license", "licencia", "registration", "real id")
OUTAGE_WORDS = ("website", "site", "online", "outage", "error", "down", "crash", "portal", "página")
UTILITY_WORDS = ("water", "utility", "utilities", "sewer", "agua", "#waterbill")
FEE_WORDS = (
    "rate",
    "infrastructure fee",
    "service charge",
    "went up",
    "jumped",
    "doubled",
    "new fees",
    "utility fees",
    "new charges",
    "subió",
    "cargo nuevo",
    "tarifa",
)
FAST_WORDS = (
    "faster than expected",
    "quick turnaround",
    "so much faster",
    "within the hour",
    "instead of six",
    "answered the phone right away",
    "in like 2 minutes",
    "más rápido",
)


@dataclass
class City:
    root: Path
    summary: GenerationSummary
    tweets: list[tuple[str, dict[str, Any]]]
    statuses: list[tuple[str, dict[str, Any]]]
    calls: list[dict[str, str]]
    touchpoints: list[tuple[str, dt.date, dict[str, str]]]
    survey: list[dict[str, str]]
    pages: list[tuple[dt.date, str, dict[str, int]]]
    searches: list[tuple[dt.date, str, dict[str, int]]]


def _local_date(iso_utc: str) -> dt.date:
    return dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(TIMEZONE).date()


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def _load(root: Path, summary: GenerationSummary) -> City:
    tweets = [
        (path.name, tweet)
        for path in sorted((root / "x").glob("*.json"))
        for tweet in json.loads(path.read_text(encoding="utf-8")).get("data", [])
    ]
    statuses = [
        (path.name, status)
        for path in sorted((root / "mastodon").glob("*.json"))
        for status in json.loads(path.read_text(encoding="utf-8"))
    ]
    calls = [row for path in sorted((root / "contact_center").glob("*.csv")) for row in _read_csv(path)[1]]
    touchpoints = []
    for path in sorted((root / "touchpoints").rglob("*.csv")):
        stamp = dt.datetime.strptime(path.stem[-17:], "%Y-%m-%d_%H%M%S").date()
        for row in _read_csv(path)[1]:
            day = (
                dt.datetime.strptime(row["Created at"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC).date()
                if "Created at" in row
                else stamp
            )
            touchpoints.append((path.parent.name, day, row))
    survey = [row for path in sorted((root / "resident_survey").glob("*.csv")) for row in _read_csv(path)[1]]
    pages, searches = [], []
    for path in sorted((root / "ga4").glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        metrics = [m["name"] for m in report["metricHeaders"]]
        target = pages if report["dimensionHeaders"][1]["name"] == "pagePath" else searches
        for row in report.get("rows", []):
            date, key = (d["value"] for d in row["dimensionValues"])
            values = {
                name: int(float(m["value"])) for name, m in zip(metrics, row["metricValues"], strict=True)
            }
            target.append((dt.datetime.strptime(date, "%Y%m%d").date(), key, values))
    return City(root, summary, tweets, statuses, calls, touchpoints, survey, pages, searches)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("riverton")
    return _load(root, generate(root, start=START, days=DAYS, seed=11))


def _between(day: dt.date, window: tuple[dt.date, dt.date]) -> bool:
    return window[0] <= day <= window[1]


def _days(window: tuple[dt.date, dt.date]) -> int:
    return (window[1] - window[0]).days + 1


def _weekdays(window: tuple[dt.date, dt.date]) -> int:
    return sum(1 for i in range(_days(window)) if (window[0] + dt.timedelta(days=i)).weekday() < 5)


def _social(city: City) -> list[tuple[dt.date, str]]:
    """(local day, text) of every distinct original post, tweets and Mastodon statuses alike."""
    seen: dict[str, tuple[dt.date, str]] = {}
    for _, tweet in city.tweets:
        if not tweet["text"].startswith("RT @"):
            seen[f"x{tweet['id']}"] = (_local_date(tweet["created_at"]), tweet["text"])
    for _, status in city.statuses:
        text = re.sub(r"<[^>]+>", " ", status["content"]).replace("&#39;", "'").replace("&amp;", "&")
        seen[f"m{status['id']}"] = (_local_date(status["created_at"]), text)
    return list(seen.values())


def _about(text: str, words: Iterable[str]) -> bool:
    """Whether a word or phrase starts at a word boundary ("rate" matches "rates", not "prorated")."""
    return re.search(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + ")", text, re.IGNORECASE) is not None


def _compound(texts: list[str]) -> float:
    analyzer = SentimentIntensityAnalyzer()
    return statistics.fmean(analyzer.polarity_scores(text)["compound"] for text in texts)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


# Determinism, the summary and volumes


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", start=START, days=10, seed=5)
    second = generate(tmp_path / "b", start=START, days=10, seed=5)
    other = generate(tmp_path / "c", start=START, days=10, seed=6)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert first.counts == second.counts
    different = {
        name for name, data in _tree(tmp_path / "c").items() if _tree(tmp_path / "a").get(name) != data
    }
    assert len(different) > 0.9 * len(other.files)


def test_rerun_replaces_files_of_an_earlier_run(tmp_path: Path) -> None:
    generate(tmp_path, start=START, days=9)
    summary = generate(tmp_path, start=START, days=2)
    calls = sorted(p.name for p in (tmp_path / "contact_center").iterdir())
    assert calls == ["calls_2026-06-01.csv", "calls_2026-06-02.csv"]
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(summary.files)


def test_summary_counts_every_record_in_the_files(city: City) -> None:
    counts = city.summary.counts
    assert set(counts) == set(FOLDERS) == {p.name for p in city.root.iterdir()}
    assert counts["x"] == len(city.tweets)
    assert counts["mastodon"] == len(city.statuses)
    assert counts["contact_center"] == len(city.calls)
    assert counts["touchpoints"] == len(city.touchpoints)
    assert counts["resident_survey"] == len(city.survey)
    assert counts["ga4"] == len(city.pages) + len(city.searches)
    assert all(path.is_relative_to(city.root) and path.exists() for path in city.summary.files)
    assert city.summary.end == END
    assert f"contact_center {counts['contact_center']:,}" in str(city.summary)


def test_volumes_match_the_brief_at_scale_one(city: City) -> None:
    per_day = {name: count / DAYS for name, count in city.summary.counts.items()}
    assert 32 <= per_day["x"] <= 75
    assert 6 <= per_day["mastodon"] <= 20
    assert 55 <= per_day["contact_center"] <= 95
    assert 20 <= per_day["touchpoints"] <= 40
    assert 8 <= per_day["resident_survey"] <= 12
    search_terms_per_day = len(city.searches) / DAYS
    assert 20 <= search_terms_per_day <= 45


def test_scale_multiplies_volume_and_pages_large_reports(tmp_path: Path) -> None:
    small = generate(tmp_path / "one", start=START, days=7, seed=3)
    large = generate(tmp_path / "twenty", start=START, days=7, seed=3, scale=20)
    for folder in ("x", "mastodon", "contact_center", "touchpoints", "resident_survey"):
        assert 14 <= large.counts[folder] / small.counts[folder] <= 28, folder
    search_pages = sorted((tmp_path / "twenty" / "ga4").glob("ga4_search_*"))
    assert [p.name[-18:] for p in search_pages][:2] == ["_offset000000.json", "_offset001000.json"]
    reports = [json.loads(p.read_text()) for p in search_pages]
    assert all(len(r["rows"]) <= 1000 for r in reports)
    assert sum(len(r["rows"]) for r in reports) == reports[0]["rowCount"] > 1000
    x_pages = [json.loads(p.read_text()) for p in (tmp_path / "twenty" / "x").glob("*.json")]
    assert all(len(page["data"]) <= 100 for page in x_pages)


# Each file parses as its vendor's format


def test_ga4_reports_are_run_report_responses(city: City) -> None:
    files = sorted((city.root / "ga4").glob("*.json"))
    assert {re.sub(r"_\d{8}-\d{8}_offset\d{6}", "", p.stem) for p in files} == {"ga4_pages", "ga4_search"}
    for path in files:
        report = json.loads(path.read_text())
        assert report["kind"] == "analyticsData#runReport"
        assert report["metadata"] == {"currencyCode": "USD", "timeZone": "America/Chicago"}
        dimensions = [d["name"] for d in report["dimensionHeaders"]]
        metrics = {m["name"]: m["type"] for m in report["metricHeaders"]}
        if dimensions == ["date", "pagePath"]:
            assert metrics == {
                "sessions": "TYPE_INTEGER",
                "activeUsers": "TYPE_INTEGER",
                "screenPageViews": "TYPE_INTEGER",
                "userEngagementDuration": "TYPE_SECONDS",
                "keyEvents:form_submit": "TYPE_FLOAT",
                "keyEvents:payment_complete": "TYPE_FLOAT",
            }
        else:
            assert dimensions == ["date", "searchTerm"]
            assert metrics == {"eventCount": "TYPE_INTEGER", "sessions": "TYPE_INTEGER"}
        assert report["rowCount"] == len(report["rows"])
        for row in report["rows"]:
            values = [v["value"] for v in row["dimensionValues"] + row["metricValues"]]
            assert all(isinstance(v, str) for v in values)
            assert re.fullmatch(r"\d{8}", values[0])
        totals = [int(v["value"]) for v in report["totals"][0]["metricValues"]]
        assert totals == [
            sum(int(r["metricValues"][i]["value"]) for r in report["rows"]) for i in range(len(metrics))
        ]


def test_ga4_page_report_has_every_day_and_path(city: City) -> None:
    grid = Counter((day, path) for day, path, _ in city.pages)
    paths = {path for _, path, _ in city.pages}
    assert set(grid.values()) == {1}
    assert len(grid) == DAYS * len(paths)
    assert {p.path for s in SERVICES for p in s.pages} | {p.path for p in UNMAPPED_PAGES} <= paths
    assert 38 <= len(paths) <= 50
    assert {day for day, _, _ in city.pages} == {START + dt.timedelta(days=i) for i in range(DAYS)}
    for _, _, metrics in city.pages:
        assert (
            metrics["activeUsers"] <= metrics["sessions"] <= metrics["screenPageViews"]
            or metrics["sessions"] == 0
        )
    weekday = statistics.fmean(m["sessions"] for d, p, m in city.pages if p == "/" and d.weekday() < 5)
    weekend = statistics.fmean(m["sessions"] for d, p, m in city.pages if p == "/" and d.weekday() >= 5)
    assert weekend < 0.75 * weekday


def test_x_pages_are_recent_search_responses_chained_by_next_token(city: City) -> None:
    by_day: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((city.root / "x").glob("*.json")):
        match = re.fullmatch(r"x_recent_search_(\d{8})_page(\d{2})\.json", path.name)
        assert match, path.name
        by_day[match.group(1)].append(path)
    assert len(by_day) == DAYS
    overlaps = 0
    for paths in by_day.values():
        pages = [json.loads(p.read_text()) for p in paths]
        assert [p.name[-7:-5] for p in paths] == [f"{i:02d}" for i in range(1, len(paths) + 1)]
        assert (
            all("next_token" in page["meta"] for page in pages[:-1]) and "next_token" not in pages[-1]["meta"]
        )
        for page, following in itertools.pairwise(pages):
            overlaps += page["data"][-1]["id"] == following["data"][0]["id"]
        for page in pages:
            tweets, meta = page["data"], page["meta"]
            assert 0 < meta["result_count"] == len(tweets) <= 100
            ids = [int(t["id"]) for t in tweets]
            assert ids == sorted(ids, reverse=True)
            assert (meta["newest_id"], meta["oldest_id"]) == (tweets[0]["id"], tweets[-1]["id"])
            users = {u["id"]: u for u in page["includes"]["users"]}
            for tweet in tweets:
                assert set(tweet) >= {
                    "id",
                    "text",
                    "edit_history_tweet_ids",
                    "created_at",
                    "author_id",
                    "lang",
                    "public_metrics",
                    "conversation_id",
                }
                assert tweet["author_id"] in users and set(users[tweet["author_id"]]) == {
                    "id",
                    "name",
                    "username",
                }
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", tweet["created_at"])
                created = dt.datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")).timestamp()
                assert abs(((int(tweet["id"]) >> 22) + TWITTER_EPOCH_MS) / 1000 - created) < 1
                assert _between(_local_date(tweet["created_at"]), (START, END))
                assert set(tweet["public_metrics"]) == {
                    "retweet_count",
                    "reply_count",
                    "like_count",
                    "quote_count",
                    "impression_count",
                }
                for tag in tweet.get("entities", {}).get("hashtags", []):
                    assert tweet["text"][tag["start"] : tag["end"]] == f"#{tag['tag']}"
                for ref in tweet.get("referenced_tweets", []):
                    assert ref["type"] in {"retweeted", "quoted", "replied_to"}
    assert overlaps >= 3


def test_x_has_retweets_replies_and_exact_duplicates(city: City) -> None:
    tweets = {t["id"]: t for _, t in city.tweets}.values()
    kinds = Counter(ref["type"] for t in tweets for ref in t.get("referenced_tweets", []))
    assert kinds["retweeted"] > 0.06 * len(tweets) and kinds["replied_to"] > 0.05 * len(tweets)
    assert kinds["quoted"] > 0
    retweets = [t for t in tweets if t.get("referenced_tweets", [{}])[0].get("type") == "retweeted"]
    assert all(re.match(r"RT @\w+: ", t["text"]) and len(t["text"]) <= 140 for t in retweets)
    texts = Counter(t["text"] for t in tweets if not t["text"].startswith("RT @"))
    assert any(count > 1 for count in texts.values())
    assert any(t["author_id"] == "1351987654321098752" for t in tweets)


def test_mastodon_pages_are_tag_timelines_of_statuses(city: City) -> None:
    for path in sorted((city.root / "mastodon").glob("*.json")):
        match = re.fullmatch(r"mastodon_(riverton|riverton311)_(\d{8})_page(\d{2})\.json", path.name)
        assert match, path.name
        statuses = json.loads(path.read_text())
        assert isinstance(statuses, list) and 0 < len(statuses) <= 40
        for status in statuses:
            assert set(status) >= {
                "id",
                "created_at",
                "content",
                "language",
                "url",
                "uri",
                "in_reply_to_id",
                "reblog",
                "replies_count",
                "reblogs_count",
                "favourites_count",
                "account",
                "tags",
            }
            assert set(status["account"]) >= {"id", "username", "acct", "display_name", "url"}
            assert status["content"].startswith("<p>") and status["content"].endswith("</p>")
            assert match.group(1) in {tag["name"] for tag in status["tags"]}
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", status["created_at"])
            assert _local_date(status["created_at"]).strftime("%Y%m%d") == match.group(2)
            assert status["language"] in {"en", "es"}
    replies = [s for _, s in city.statuses if s["in_reply_to_id"]]
    assert replies and all('class="u-url mention"' in s["content"] for s in replies)


def test_calls_are_daily_csv_exports_within_opening_hours(city: City) -> None:
    paths = sorted((city.root / "contact_center").glob("*.csv"))
    assert [p.name for p in paths] == [f"calls_{START + dt.timedelta(days=i)}.csv" for i in range(DAYS)]
    for path in paths:
        header, rows = _read_csv(path)
        assert header == CALL_HEADER
        day = dt.date.fromisoformat(path.stem[6:])
        if day.weekday() == 6:
            assert rows == []
        for row in rows:
            started = dt.datetime.strptime(row["start_time"], "%Y-%m-%d %H:%M:%S")
            assert started.date() == day
            first, last = (9, 13) if day.weekday() == 5 else (8, 18)
            assert first <= started.hour < last
            assert row["queue"] in {s.queue for s in SERVICES}
            assert row["resolved"] in {"Y", "N"} and row["repeat_contact"] in {"Y", "N"}
            assert int(row["wait_seconds"]) >= 0 and int(row["handle_seconds"]) >= 0
    answered = [row for row in city.calls if row["disposition"] != "ABANDONED"]
    assert all(len(SENTENCE_END.findall(row["notes"])) >= 3 for row in answered)
    assert any("\n" in row["notes"] for row in answered) and any("," in row["notes"] for row in answered)
    assert 0.01 < sum(row["disposition"] == "ABANDONED" for row in city.calls) / len(city.calls) < 0.15
    notes = [row["notes"] for row in answered]
    assert len(set(notes)) > 0.9 * len(notes)
    assert re.search(r"\b(Advised|Adv)\b", " ".join(notes)) and "Escalated to" in " ".join(notes)


def test_touchpoints_exports_have_the_a11_v2_columns(city: City) -> None:
    folders = {p.name for p in (city.root / "touchpoints").iterdir()}
    assert folders == {s.form_id for s in SERVICES}
    plain_forms = {SERVICES_BY_ID[s].form_id for s in PLAIN_EXPORT_FORMS}
    assert 1 <= len(plain_forms) <= 2
    for path in sorted((city.root / "touchpoints").rglob("*.csv")):
        assert re.fullmatch(r"touchpoints-a11-v2-form-responses-\d{4}-\d\d-\d\d_\d{6}\.csv", path.name)
        header, rows = _read_csv(path)
        assert header[-17:] == A11_V2
        if path.parent.name in plain_forms:
            assert header == A11_V2
        else:
            assert header[:2] == ["ID", "UUID"] and header[6:19] == COMBINED_FIELDS and len(header) == 36
            assert header[3:6] == ["What went well?", "What didn't go so well?", "Additional comments"]
        for row in rows:
            assert row["question_1"] in {"0", "1"}
            assert all(row[c] in {"0", "1", "null"} for c in A11_V2[2:16])
            if "ID" in row:
                assert row["ID"] == row["external_id"] and row["Additional comments"] == row["question_4"]
                chosen = {name for name in INDICATORS if row[f"positive_{name}"] == "1"}
                assert set(filter(None, row["What went well?"].split(","))) == chosen
                assert row["Status"] == "received" and row["Hostname"] == "www.riverton.gov"
    for service_id in PLAIN_EXPORT_FORMS:
        files = sorted((city.root / "touchpoints" / SERVICES_BY_ID[service_id].form_id).glob("*.csv"))
        assert len(files) == DAYS
        offered = set(FORM_OPTIONS[service_id])
        for _, row in (_read_csv(p) for p in files[:5]):
            for r in row:
                assert {n for n in INDICATORS if r[f"positive_{n}"] == "null"} == set(INDICATORS) - offered
    days = {day for _, day, _ in city.touchpoints}
    assert min(days) >= START and max(days) <= END + dt.timedelta(days=1)
    comment_share = sum(bool(row["question_4"]) for _, _, row in city.touchpoints) / len(city.touchpoints)
    assert 0.3 < comment_share < 0.5


def test_resident_survey_is_a_flat_qualtrics_export(city: City) -> None:
    paths = sorted((city.root / "resident_survey").glob("*.csv"))
    assert len(paths) == 2
    formats = set()
    for path in paths:
        header, rows = _read_csv(path)
        assert header == SURVEY_HEADER
        for row in rows:
            if re.fullmatch(r"\d\d/\d\d/\d{4}", row["response_date"]):
                day, formats = dt.datetime.strptime(row["response_date"], "%m/%d/%Y").date(), formats | {"us"}
            else:
                day, formats = dt.date.fromisoformat(row["response_date"]), formats | {"iso"}
            assert _between(day, (START, END))
            assert row["service_used"] in SURVEY_CHOICES
            assert all(row[c] in {"", "1", "2", "3", "4", "5"} for c in ("satisfaction", "trust", "ease"))
            assert row["language"] in {"EN", "ES"}
            assert re.fullmatch(r"R_[A-Za-z0-9]{15}", row["respondent_id"])
    assert formats == {"us", "iso"}
    assert {row["service_used"] for row in city.survey} == SURVEY_CHOICES
    assert any(row["satisfaction"] == "" for row in city.survey)


# Language: variety, Spanish, emoji, PII


def test_social_texts_are_varied_and_multilingual(city: City) -> None:
    texts = [text for _, text in _social(city)]
    assert len(set(texts)) >= 0.85 * len(texts)
    spanish = sum(t["lang"] == "es" for _, t in city.tweets) / len(city.tweets)
    assert 0.02 < spanish < 0.1
    assert sum(bool(EMOJI.search(text)) for text in texts) > 0.15 * len(texts)
    assert "🙃" in " ".join(texts)
    assert sum("#" in text for text in texts) > 0.3 * len(texts)
    assert sum("@" in text for text in texts) > 0.1 * len(texts)
    assert sum(
        not _about(text, ("#" + tag.lower() for s in SERVICES for tag in s.hashtags)) for text in texts
    ) > (0.5 * len(texts))
    assert sum("?" in text for text in texts) > 0.1 * len(texts)
    assert any(row["language"] == "ES" and re.search(r"[áéíóúñ¿]", row["comment"]) for row in city.survey)


def test_a_few_texts_carry_pii_for_the_redactor(city: City) -> None:
    social = [text for _, text in _social(city)]
    notes = [row["notes"] for row in city.calls if row["notes"]]
    comments = [row["comment"] for row in city.survey if row["comment"]]
    for texts in (social, notes):
        share = sum(bool(PII.search(text)) for text in texts) / len(texts)
        assert 0.01 < share < 0.1, share
    assert any(PII.search(text) for text in comments)
    assert any("@gmail.com" in text or "@yahoo.com" in text for text in social + notes)


# The planted signals, read back from the files


def test_signal_constants_are_consistent() -> None:
    assert [s.start for s in SIGNALS] == [dt.date(2026, 6, 15), dt.date(2026, 7, 1), dt.date(2026, 7, 15)]
    assert DMV_OUTAGE.end == dt.date(2026, 6, 28) and UTILITY_FEE_INCREASE.announced == dt.date(2026, 6, 24)
    assert DMV_OUTAGE.effect("ga4", "payments_completed").factor < 0.2
    assert PERMITS_STAFFING.effect("contact_center", "wait_median_seconds").before == 900
    assert PERMITS_STAFFING.effect("contact_center", "wait_median_seconds").during == 240
    for signal in SIGNALS:
        assert signal.service_id in SERVICES_BY_ID and signal.description
        with pytest.raises(KeyError):
            signal.effect("ga4", "no_such_measure")


def test_dmv_outage_shows_on_the_website(city: City) -> None:
    def dmv(window: tuple[dt.date, dt.date], metric: str) -> float:
        total = sum(m[metric] for d, p, m in city.pages if p.startswith("/dmv") and _between(d, window))
        return total / _days(window)

    assert dmv(OUTAGE, "keyEvents:payment_complete") < 0.2 * dmv(BEFORE_OUTAGE, "keyEvents:payment_complete")
    assert dmv(OUTAGE, "keyEvents:form_submit") < 0.2 * dmv(BEFORE_OUTAGE, "keyEvents:form_submit")
    assert dmv(OUTAGE, "sessions") > 1.4 * dmv(BEFORE_OUTAGE, "sessions")
    outage_terms = {"dmv website down", "renew license online not working"}
    days_searched = {d for d, term, _ in city.searches if term in outage_terms}
    assert days_searched and all(_between(d, OUTAGE) for d in days_searched)
    assert len(days_searched) >= 10


def test_dmv_outage_shows_in_social_calls_and_touchpoints(city: City) -> None:
    social = _social(city)
    outage_posts = [(d, t) for d, t in social if _about(t, DMV_WORDS) and _about(t, OUTAGE_WORDS)]
    during = [t for d, t in outage_posts if _between(d, OUTAGE)]
    before = [t for d, t in outage_posts if _between(d, BEFORE_OUTAGE)]
    assert len(during) / _days(OUTAGE) > 4 * max(1, len(before)) / _days(BEFORE_OUTAGE)
    assert _compound(during) < -0.2

    dmv_calls = [r for r in city.calls if r["queue"] == "DMV"]
    calls_during = [r for r in dmv_calls if _between(dt.date.fromisoformat(r["start_time"][:10]), OUTAGE)]
    calls_before = [
        r for r in dmv_calls if _between(dt.date.fromisoformat(r["start_time"][:10]), BEFORE_OUTAGE)
    ]
    assert len(calls_during) / _weekdays(OUTAGE) > 1.6 * len(calls_before) / _weekdays(BEFORE_OUTAGE)
    wait_during = statistics.median(int(r["wait_seconds"]) for r in calls_during)
    wait_before = statistics.median(int(r["wait_seconds"]) for r in calls_before)
    assert wait_during > 2.3 * wait_before
    assert sum(_about(r["notes"], ("website", "online", "site")) for r in calls_during) > 0.3 * len(
        calls_during
    )

    form = SERVICES_BY_ID["drivers_licence"].form_id
    during_rows = [r for f, d, r in city.touchpoints if f == form and _between(d, OUTAGE)]
    before_rows = [r for f, d, r in city.touchpoints if f == form and _between(d, BEFORE_OUTAGE)]

    def share(rows: list[dict[str, str]], column: str, value: str) -> float:
        return sum(r[column] == value for r in rows) / len(rows)

    assert share(during_rows, "question_1", "0") > share(before_rows, "question_1", "0") + 0.3
    assert share(during_rows, "negative_ease", "1") > share(before_rows, "negative_ease", "1") + 0.25
    assert any(_about(r["question_4"], ("website", "site", "online")) for r in during_rows)


def test_utility_fee_increase_shows_in_posts_calls_and_survey(city: City) -> None:
    def fee_rate(items: list[tuple[dt.date, str]], window: tuple[dt.date, dt.date]) -> float:
        about = [
            t for d, t in items if _between(d, window) and _about(t, UTILITY_WORDS) and _about(t, FEE_WORDS)
        ]
        return len(about) / _days(window)

    social = _social(city)
    assert fee_rate(social, AFTER_FEE) > 3 * fee_rate(social, BEFORE_NOTICE)
    utility_before = [t for d, t in social if _between(d, BEFORE_NOTICE) and _about(t, UTILITY_WORDS)]
    utility_after = [t for d, t in social if _between(d, AFTER_FEE) and _about(t, UTILITY_WORDS)]
    assert _compound(utility_after) < _compound(utility_before) - 0.1

    notes = [
        (dt.date.fromisoformat(r["start_time"][:10]), r["notes"])
        for r in city.calls
        if r["queue"] == "UTILITY_BILLING"
    ]
    notes = [(d, f"water {n}") for d, n in notes]
    assert fee_rate(notes, AFTER_FEE) > 4 * fee_rate(notes, BEFORE_NOTICE)

    def survey_day(row: dict[str, str]) -> dt.date:
        text = row["response_date"]
        return dt.datetime.strptime(text, "%m/%d/%Y").date() if "/" in text else dt.date.fromisoformat(text)

    utility = [(survey_day(r), r) for r in city.survey if r["service_used"] == "Utility bill (water/sewer)"]
    comments = [(d, f"water {r['comment']}") for d, r in utility if r["comment"]]
    assert fee_rate(comments, AFTER_FEE) > 3 * fee_rate(comments, BEFORE_NOTICE)
    satisfied_before = statistics.fmean(
        int(r["satisfaction"]) for d, r in utility if r["satisfaction"] and _between(d, BEFORE_NOTICE)
    )
    satisfied_after = statistics.fmean(
        int(r["satisfaction"]) for d, r in utility if r["satisfaction"] and _between(d, AFTER_FEE)
    )
    assert satisfied_after < satisfied_before - 0.4


def test_permit_staffing_cuts_waits_and_lifts_feedback(city: City) -> None:
    permits = [
        (dt.date.fromisoformat(r["start_time"][:10]), r) for r in city.calls if r["queue"] == "PERMITS"
    ]
    wait_before = statistics.median(
        int(r["wait_seconds"]) for d, r in permits if _between(d, BEFORE_STAFFING)
    )
    wait_after = statistics.median(int(r["wait_seconds"]) for d, r in permits if _between(d, AFTER_STAFFING))
    assert 650 < wait_before < 1200 and 170 < wait_after < 330

    form = SERVICES_BY_ID["building_permits"].form_id
    rows = [(d, r) for f, d, r in city.touchpoints if f == form]
    up_before = statistics.fmean(r["question_1"] == "1" for d, r in rows if _between(d, BEFORE_STAFFING))
    up_after = statistics.fmean(r["question_1"] == "1" for d, r in rows if _between(d, AFTER_STAFFING))
    assert up_after > up_before + 0.2

    texts = [(d, t) for d, t in _social(city) if _about(t, ("permit",))]
    texts += [(d, r["question_4"]) for d, r in rows]
    fast_before = [t for d, t in texts if _between(d, BEFORE_STAFFING) and _about(t, FAST_WORDS)]
    fast_after = [t for d, t in texts if _between(d, AFTER_STAFFING) and _about(t, FAST_WORDS)]
    assert len(fast_after) >= 8 and len(fast_after) / _days(AFTER_STAFFING) > 5 * len(fast_before) / _days(
        BEFORE_STAFFING
    )


def test_quiet_services_stay_quiet(city: City) -> None:
    halves = ((START, START + dt.timedelta(days=DAYS // 2 - 1)), (START + dt.timedelta(days=DAYS // 2), END))
    for queue in ("PROPERTY_TAX", "SANITATION", "HOUSING", "GENERAL_311"):
        per_weekday = [
            sum(
                1
                for r in city.calls
                if r["queue"] == queue and _between(dt.date.fromisoformat(r["start_time"][:10]), h)
            )
            / _weekdays(h)
            for h in halves
        ]
        assert 0.75 < per_weekday[1] / per_weekday[0] < 1.33, (queue, per_weekday)
    weekday = [
        len(_read_csv(p)[1])
        for p in (city.root / "contact_center").glob("*.csv")
        if dt.date.fromisoformat(p.stem[6:]).weekday() < 5
    ]
    saturday = [
        len(_read_csv(p)[1])
        for p in (city.root / "contact_center").glob("*.csv")
        if dt.date.fromisoformat(p.stem[6:]).weekday() == 5
    ]
    assert statistics.fmean(saturday) < 0.5 * statistics.fmean(weekday)
