"""SurveyMonkey bulk response objects to survey_response values, with the source's question mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civicpulse.connector_contract import SurveyMapping
from civicpulse.filereaders import BadValue, data_items, json_id, json_object, optional_text, utc_timestamp
from connectors.surveymonkey.settings import (
    COMPLETED,
    EXPECTED_FILE,
    SCORE_COLUMNS,
    SCORE_HIGH,
    SCORE_LOW,
    SURVEY_KIND,
)


def page_responses(origin: Path | str, page: Any) -> list[Any]:
    return data_items(origin, page, "SurveyMonkey", f"save {EXPECTED_FILE}")


def next_link(page: Any) -> str | None:
    links = page.get("links") if isinstance(page, dict) else None
    link = links.get("next") if isinstance(links, dict) else None
    return link if isinstance(link, str) and link else None


def response_values(item: Any, mapping: SurveyMapping) -> dict[str, Any]:
    response = json_object(item, "response")
    status = response.get("response_status")
    if status != COMPLETED:
        raise BadValue(f"the response is {status!r}, not completed; only completed responses are loaded")
    answers = _answers(response)
    values: dict[str, Any] = {
        "response_id": json_id(response.get("id"), "response"),
        "submitted_at": utc_timestamp(response.get("date_created"), "date_created"),
        "survey_kind": SURVEY_KIND,
        "form_id": _optional_text(response.get("survey_id")),
        "service_hint": None,
        "respondent_id": _optional_text(response.get("recipient_id")),
        "is_trust_positive": None,
        "positive_drivers": None,
        "negative_drivers": None,
        "comment": _comment(answers, mapping),
    }
    for name, column in SCORE_COLUMNS.items():
        question = mapping.question_ids.get(name)
        values[column] = None if question is None else _score(answers.get(question, []), question, mapping)
    return values


def _answers(response: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    answers: dict[str, list[dict[str, Any]]] = {}
    pages = response.get("pages")
    if not isinstance(pages, list):
        raise BadValue("the response has no 'pages' list")
    for page in pages:
        for question in json_object(page, "page").get("questions") or []:
            question = json_object(question, "question")
            given = question.get("answers")
            if not isinstance(given, list):
                raise BadValue(f"question {question.get('id')!r} has no 'answers' list")
            answers[json_id(question.get("id"), "question")] = [json_object(a, "answer") for a in given]
    return answers


def _score(answers: list[dict[str, Any]], question: str, mapping: SurveyMapping) -> int | None:
    choices = [str(a["choice_id"]) for a in answers if a.get("choice_id") is not None]
    if not choices:
        return None
    score = mapping.answer_scores.get(choices[0])
    if score is None:
        raise BadValue(
            f"question {question}: choice {choices[0]} has no score; add it to api.answer_scores "
            f"(a number from {SCORE_LOW} to {SCORE_HIGH})"
        )
    return score


def _comment(answers: dict[str, list[dict[str, Any]]], mapping: SurveyMapping) -> str | None:
    question = mapping.question_ids.get("comment")
    chosen = [answers.get(question, [])] if question else list(answers.values())
    texts = [text for group in chosen for a in group if (text := _optional_text(a.get("text")))]
    return "\n\n".join(texts) or None


def _optional_text(value: Any) -> str | None:
    return optional_text(value) if isinstance(value, str) else None
