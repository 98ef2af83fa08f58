"""The demo cities `civicpulse demo-data --city` can generate, and the project config for each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from civicpulse.demo import city, lakeshore, signals
from civicpulse.demo.city import CitySpec

RIVERTON = CitySpec(
    key="riverton",
    name=city.CITY_NAME,
    timezone=city.TIMEZONE,
    handle=city.CITY_HANDLE,
    site_host=city.SITE_HOST,
    mastodon_host=city.MASTODON_HOST,
    general_hashtag=city.GENERAL_HASHTAG,
    services=city.SERVICES,
    signals=signals.SIGNALS,
    quiet_services=("parks_recreation", "property_tax", "waste_collection"),
)

LAKESHORE = CitySpec(
    key="lakeshore",
    name="Lakeshore",
    timezone=city.TIMEZONE,
    handle=city.CITY_HANDLE,
    site_host=city.SITE_HOST,
    mastodon_host=city.MASTODON_HOST,
    general_hashtag=city.GENERAL_HASHTAG,
    services=lakeshore.SERVICES,
    signals=lakeshore.SIGNALS,
    plain_export_forms=frozenset({"recreation"}),
    form_options={"default": city.FORM_OPTIONS["default"]},
    place_names=lakeshore.PLACE_NAMES,
    quiet_services=lakeshore.QUIET_SERVICES,
)

CITIES: dict[str, CitySpec] = {spec.key: spec for spec in (RIVERTON, LAKESHORE)}


def city_settings(spec: CitySpec, template: dict[str, Any]) -> dict[str, Any]:
    """The project settings (civicpulse.yml as a dict) for a demo city, from Riverton's as `template`:
    same sources and paths, the city's services and each source's service map from the city spec. Social
    and site-search keywords come from the Riverton service whose texts the city's service uses."""
    settings = dict(template)
    sources = {source["name"]: source for source in template["sources"]}
    social_template = sources["x_riverton"]["service_map"]
    social = {
        s.id: {
            "hashtags": list(s.hashtags),
            "keywords": list(social_template.get(s.texts_key, {}).get("keywords", [])),
        }
        for s in spec.services
    }
    maps: dict[str, dict[str, dict[str, list[str]]]] = {
        "ga4": {
            s.id: {"path_prefixes": [s.path_prefix], "keywords": social[s.id]["keywords"]}
            for s in spec.services
        },
        "x": social,
        "mastodon": social,
        "contact_center_csv": {s.id: {"queues": [s.queue]} for s in spec.services},
        "touchpoints": {s.id: {"survey_ids": [s.form_id]} for s in spec.services},
        "resident_survey_csv": {s.id: {"keywords": [s.survey_choice.lower()]} for s in spec.services},
    }
    settings["services"] = [{"id": s.id, "name": s.name, "department": s.department} for s in spec.services]
    settings["sources"] = [
        {**source, "service_map": maps.get(source["connector"], source["service_map"])}
        for source in template["sources"]
    ]
    if spec.place_names:
        settings["place_names"] = list(spec.place_names)
    return settings


def write_city_config(spec: CitySpec, template_path: Path, target: Path) -> Path:
    """Write `target` (a civicpulse.yml) for the city, from the project config at `template_path`."""
    template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    target.write_text(yaml.safe_dump(city_settings(spec, template), sort_keys=False), encoding="utf-8")
    return target
