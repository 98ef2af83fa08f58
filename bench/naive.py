"""The baseline: a plain notebook-style script doing civicpulse's core job on the same demo exports.

Reads every export the demo city writes (GA4 report JSON, X recent-search pages, Mastodon status
pages, contact-centre CSVs, Touchpoints form-response CSVs, resident-survey CSVs) with json and
pandas, maps each record to a service with the same rules (civicpulse.yml's service maps), scores
each text with VADER in a loop, tags keyword themes from config/themes.yml (one compiled regex per
theme and per service addition), inserts everything into DuckDB and aggregates per service and week.

Written as a competent analyst would, neither tuned nor slowed down. It does less than civicpulse
(no redaction, no per-sentence scores, no theme excludes, no checks, no report): that is the point of a
baseline. It imports nothing from civicpulse; the YAML config is read as plain YAML.

    python bench/naive.py --config civicpulse.yml --db out.duckdb
"""

from __future__ import annotations

import argparse
import html
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd  # type: ignore[import-untyped]
import yaml
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

NUMBER = (
    r"(?:\d+|a few|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)"
)
TAG = re.compile(r"<[^>]+>")


def phrase_regex(phrase: str) -> str:
    """themes.yml phrase syntax as a regex: [a|b] alternatives ([a|] optional), {n} a number, and
    -s/-es/-ed/-ing forms of words of three or more letters."""

    def words(part: str) -> str:
        out = []
        for token in re.split(r"(\{n\}|\s+)", part):
            if token == "{n}":
                out.append(NUMBER)
            elif token.isspace():
                out.append(r"\s+")
            elif token:
                suffix = "(?:s|es|ed|ing)?" if len(token) >= 3 and token.isalpha() else ""
                out.append(re.escape(token) + suffix)
        return "".join(out)

    pieces = []
    for literal, choices in re.findall(r"([^\[]*)(?:\[([^\]]*)\])?", phrase.lower()):
        pieces.append(words(literal))
        if choices:
            pieces.append("(?:" + "|".join(words(c) for c in choices.split("|")) + ")")
    pattern = re.sub(r"(\\s\+)+", r"\\s+", "".join(pieces)).strip()
    return r"\b" + pattern + r"\b"


def compile_themes(path: Path) -> tuple[dict[str, re.Pattern[str]], dict[tuple[str, str], re.Pattern[str]]]:
    themes = yaml.safe_load(path.read_text(encoding="utf-8"))["themes"]
    general = {tid: re.compile("|".join(phrase_regex(p) for p in t["include"])) for tid, t in themes.items()}
    per_service = {
        (tid, sid): re.compile("|".join(phrase_regex(p) for p in phrases))
        for tid, t in themes.items()
        for sid, phrases in (t.get("services") or {}).items()
    }
    return general, per_service


def keyword_regex(keyword: str) -> str:
    start = r"\b" if re.match(r"\w", keyword) else ""
    end = r"\b" if re.search(r"\w$", keyword) else ""
    return start + re.escape(keyword.lower()) + end


def social_mapper(service_map: dict[str, Any]) -> Any:
    """Hashtag rules first, then the longest matching keyword (first rule on ties)."""
    hashtags = {tag.lower(): sid for sid, rules in service_map.items() for tag in rules.get("hashtags", [])}
    keywords = sorted(
        ((kw, sid) for sid, rules in service_map.items() for kw in rules.get("keywords", [])),
        key=lambda pair: -len(pair[0]),
    )
    compiled = [(re.compile(keyword_regex(kw)), sid) for kw, sid in keywords]

    def service(text: str, tags: list[str]) -> str:
        for tag in tags:
            if tag.lower() in hashtags:
                return hashtags[tag.lower()]
        lowered = text.lower()
        for pattern, sid in compiled:
            if pattern.search(lowered):
                return sid
        return "unmapped"

    return service


def read_x(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    service = social_mapper(service_map)
    rows = {}
    for path in sorted(inbox.glob("*.json")):
        for tweet in json.loads(path.read_text(encoding="utf-8")).get("data", []):
            tags = [h["tag"] for h in tweet.get("entities", {}).get("hashtags", [])]
            rows[tweet["id"]] = {
                "id": tweet["id"],
                "channel": "social",
                "created_at": tweet["created_at"],
                "text": tweet["text"],
                "service_id": service(tweet["text"], tags),
            }
    return pd.DataFrame(list(rows.values()))


def read_mastodon(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    service = social_mapper(service_map)
    rows = {}
    for path in sorted(inbox.glob("*.json")):
        for status in json.loads(path.read_text(encoding="utf-8")):
            status = status.get("status", status) if "type" in status else status
            if status.get("visibility") not in ("public", "unlisted"):
                continue
            shown = status["reblog"] or status
            text = html.unescape(TAG.sub(" ", shown["content"].replace("</p><p>", "\n"))).strip()
            rows[status["id"]] = {
                "id": status["id"],
                "channel": "social",
                "created_at": status["created_at"],
                "text": text,
                "service_id": service(text, [t["name"] for t in shown.get("tags", [])]),
            }
    return pd.DataFrame(list(rows.values()))


def read_calls(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    queues = {q: sid for sid, rules in service_map.items() for q in rules.get("queues", [])}
    calls = pd.concat([pd.read_csv(p, dtype=str) for p in sorted(inbox.glob("*.csv"))], ignore_index=True)
    calls = calls.drop_duplicates("call_id")
    return pd.DataFrame(
        {
            "id": calls["call_id"],
            "channel": "phone",
            "created_at": calls["start_time"],
            "text": calls["notes"],
            "service_id": calls["queue"].map(queues).fillna("unmapped"),
        }
    )


def read_touchpoints(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    forms = {f: sid for sid, rules in service_map.items() for f in rules.get("survey_ids", [])}
    frames = []
    for path in sorted(inbox.glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str)
        day = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
        frame["created_at"] = day.group(1) if day else None
        frame["service_id"] = forms.get(path.parent.name, "unmapped")
        frames.append(frame)
    responses = pd.concat(frames, ignore_index=True).drop_duplicates("external_id")
    return pd.DataFrame(
        {
            "id": responses["external_id"],
            "channel": "survey",
            "created_at": responses["created_at"],
            "text": responses["question_4"],
            "service_id": responses["service_id"],
        }
    )


def read_resident_survey(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    rules = [
        (re.compile(keyword_regex(kw)), sid) for sid, r in service_map.items() for kw in r.get("keywords", [])
    ]

    def service(hint: str) -> str:
        lowered = str(hint).lower()
        return next((sid for pattern, sid in rules if pattern.search(lowered)), "unmapped")

    survey = pd.concat([pd.read_csv(p, dtype=str) for p in sorted(inbox.glob("*.csv"))], ignore_index=True)
    survey = survey.drop_duplicates("respondent_id")
    return pd.DataFrame(
        {
            "id": survey["respondent_id"],
            "channel": "survey",
            "created_at": pd.to_datetime(survey["response_date"], format="mixed").astype(str),
            "text": survey["comment"],
            "service_id": survey["service_used"].map(service),
        }
    )


def read_ga4(inbox: Path, service_map: dict[str, Any]) -> pd.DataFrame:
    prefixes = sorted(
        ((p, sid) for sid, rules in service_map.items() for p in rules.get("path_prefixes", [])),
        key=lambda pair: -len(pair[0]),
    )

    def service(path: str) -> str:
        for prefix, sid in prefixes:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/") or path.startswith(prefix + "?"):
                return sid
        return "unmapped"

    rows = []
    for path in sorted(inbox.glob("ga4_pages_*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")).get("rows", []):
            day, page = (v["value"] for v in row["dimensionValues"])
            rows.append({"day": day, "page_path": page, "views": int(row["metricValues"][0]["value"])})
    pages = pd.DataFrame(rows).drop_duplicates(["day", "page_path"])
    pages["service_id"] = pages["page_path"].map(service)
    pages["day"] = pd.to_datetime(pages["day"], format="%Y%m%d")
    return pages


READERS = {
    "x": read_x,
    "mastodon": read_mastodon,
    "contact_center_csv": read_calls,
    "touchpoints": read_touchpoints,
    "resident_survey_csv": read_resident_survey,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    root = args.config.parent

    frames, pages = [], []
    for source in config["sources"]:
        inbox = root / source["inbox"]
        if source["connector"] == "ga4":
            pages.append(read_ga4(inbox, source["service_map"]).assign(source=source["name"]))
        else:
            frames.append(
                READERS[source["connector"]](inbox, source["service_map"]).assign(source=source["name"])
            )
    feedback = pd.concat(frames, ignore_index=True)
    feedback = feedback[feedback["text"].notna() & (feedback["text"].str.strip() != "")].reset_index(
        drop=True
    )
    feedback["created_at"] = pd.to_datetime(feedback["created_at"], utc=True, format="mixed")

    analyzer = SentimentIntensityAnalyzer()
    general, per_service = compile_themes(root / config["themes"])
    scores, theme_rows = [], []
    for index, text, service_id in zip(feedback.index, feedback["text"], feedback["service_id"], strict=True):
        scores.append(analyzer.polarity_scores(text))
        lowered = text.lower()
        for theme_id, pattern in general.items():
            extra = per_service.get((theme_id, service_id))
            if pattern.search(lowered) or (extra is not None and extra.search(lowered)):
                theme_rows.append((index, theme_id))
    feedback = feedback.join(pd.DataFrame(scores))
    themes = pd.DataFrame(theme_rows, columns=["row", "theme_id"])
    themes["service_id"] = feedback["service_id"].to_numpy()[themes["row"]]
    themes["week"] = (
        feedback["created_at"].dt.tz_localize(None).dt.to_period("W").dt.start_time.to_numpy()[themes["row"]]
    )

    args.db.unlink(missing_ok=True)
    con = duckdb.connect(str(args.db))
    con.register("feedback_df", feedback)
    con.register("themes_df", themes)
    con.register("pages_df", pd.concat(pages, ignore_index=True))
    con.execute("create table feedback as select * from feedback_df")
    con.execute("create table themes as select * from themes_df")
    con.execute("create table web_pages as select * from pages_df")
    con.execute(
        """
        create table weekly as
        select service_id, date_trunc('week', created_at) as week, channel,
               count(*) as n, avg(compound) as avg_compound,
               avg(case when compound <= -0.05 then 1 else 0 end) as negative_share
        from feedback group by all
        """
    )
    con.execute(
        """
        create table weekly_themes as
        select service_id, week, theme_id, count(*) as n from themes group by all
        """
    )
    con.execute(
        """
        create table weekly_web as
        select service_id, date_trunc('week', day) as week, sum(views) as views from web_pages group by all
        """
    )
    weeks = con.execute("select count(*) from weekly").fetchone()
    con.close()
    service_weeks = weeks[0] if weeks else 0
    print(f"naive: {len(feedback):,} texts, {len(themes):,} theme tags, {service_weeks} service-weeks")


if __name__ == "__main__":
    main()
