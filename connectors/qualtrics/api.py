"""Qualtrics response export: start (POST export-responses), poll the progress until complete, download
the zipped CSV, and read it with the file-mode parser. Responses recorded in the window are exported.

Auth: the `X-API-TOKEN` header (an API token of a user who can see the survey). base_url is the
datacenter, e.g. https://ca1.qualtrics.com.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pydantic import Field

from civicpulse.api import ApiBatch
from civicpulse.connector_contract import SurveyApiSettings, Url
from civicpulse.credentials import Secret
from civicpulse.http import ApiSession, BadResponse, HttpError, response_json, safe_url
from civicpulse.sources import ParseContext, ParsedRow, Record
from civicpulse.state import Window
from connectors.qualtrics import parse_export
from connectors.qualtrics.helpers import utc_layout
from connectors.qualtrics.settings import EXPORTS, FILE, MAX_POLLS, POLL_SECONDS, PROGRESS

CONNECTION_FIELDS = "password: a Qualtrics API token (Account Settings > Qualtrics IDs), sent as X-API-TOKEN"


class Settings(SurveyApiSettings):
    base_url: Url = Field(description="the datacenter, https://<dc>.qualtrics.com")


def extract_api(
    settings: Settings, secret: Secret, window: Window, context: ParseContext, http: ApiSession
) -> ApiBatch:
    http.headers["X-API-TOKEN"] = secret.token
    base = settings.base_url.rstrip("/")
    mapping = settings.mapping()
    batch = ApiBatch()
    for survey_id in settings.survey_ids:
        content, origin = _download(http, base, survey_id, window, batch)
        with tempfile.TemporaryDirectory() as folder:
            path = _unzip(content, origin, Path(folder) / survey_id)
            batch.rows.extend(row for row in parse_export(path, context, mapping) if _in_window(row, window))
    return batch


def _download(
    http: ApiSession, base: str, survey_id: str, window: Window, batch: ApiBatch
) -> tuple[bytes, str]:
    start = base + EXPORTS.format(survey_id=survey_id)
    body = {
        "format": "csv",
        "startDate": utc_layout(window.start),
        "endDate": utc_layout(window.end),
        "timeZone": "UTC",
        "useLabels": False,
    }
    progress_id = _result(http.post(start, json=body), "progressId")
    progress_url = base + PROGRESS.format(survey_id=survey_id, progress_id=progress_id)
    for poll in range(1, MAX_POLLS + 1):
        response = http.get(progress_url)
        result = _result(response, None)
        status = result.get("status")
        if status == "complete":
            file_url = base + FILE.format(survey_id=survey_id, file_id=result.get("fileId"))
            download = http.get(file_url)
            batch.pages.append(safe_url(download.url))
            return download.content, safe_url(download.url)
        if status == "failed":
            raise HttpError(
                f"GET {safe_url(progress_url)}: Qualtrics reports the export failed; rerun the task"
            )
        if poll < MAX_POLLS:
            http.sleep(POLL_SECONDS)
    raise HttpError(
        f"GET {safe_url(progress_url)}: the export is not ready after {MAX_POLLS} polls; rerun later"
    )


def _result(response: Any, key: str | None) -> Any:
    page = response_json(response)
    result = page.get("result") if isinstance(page, dict) else None
    if not isinstance(result, dict) or (key is not None and not result.get(key)):
        raise BadResponse(f"{safe_url(response.url)}: the answer has no result{f'.{key}' if key else ''}")
    return result[key] if key is not None else result


def _unzip(content: bytes, origin: str, folder: Path) -> Path:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = [name for name in archive.namelist() if name.lower().endswith(".csv")]
        if len(names) != 1:
            raise BadResponse(f"{origin}: the export zip holds {len(names)} CSV files, expected one")
        folder.mkdir(parents=True)
        path = folder / Path(names[0]).name
        path.write_bytes(archive.read(names[0]))
    except zipfile.BadZipFile:
        raise BadResponse(
            f"{origin}: the download is not a complete zip file (cut off?); rerun the task"
        ) from None
    return path


def _in_window(row: ParsedRow, window: Window) -> bool:
    return not isinstance(row, Record) or window.start <= row.values["submitted_at"] < window.end
