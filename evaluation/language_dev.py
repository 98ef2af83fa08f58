"""Language detectors compared on the development parts only (never the held-out ids).

`python -m evaluation.language_dev [lingua | lingua-low | english-words ...]` prints, per set, the
texts marked right, 'und' and with another language, for civicpulse's `detect_language` and for each
named candidate whose package is installed (lingua-language-detector, english-words: installed only to
measure, they are not dependencies). The sets: the SeeClickFix and NHS texts not held out (English),
VADER's tweets bar the six not in English, five of those with `NON_ENGLISH_SAMPLES` (which
tests/transforms/test_language.py checks too), and 400 Spanish texts of the demo city (synthetic, seed 7).
docs/sentiment.md has the figures and the decision.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bench.real_texts import real_texts
from civicpulse.demo import city
from civicpulse.demo import texts as demo
from evaluation import labels, nhs_mapping
from evaluation.split import committed_heldout
from transforms import language
from transforms.language import detect_language

Detector = Callable[[str], str]

# the VADER tweets not in English (read by hand); 1661 mixes English and Spanish and is left out
VADER_NOT_ENGLISH = {
    "vader:928": "tr",
    "vader:929": "tr",
    "vader:3400": "es",
    "vader:1954": "nl",
    "vader:3517": "es",
}
VADER_MIXED = frozenset({"vader:1661"})
NON_ENGLISH_SAMPLES: dict[str, tuple[str, ...]] = {
    "es": (
        "Esperé dos horas en la oficina y nadie me atendió",
        "La página web no funciona cuando intento pagar",
        "Muy mal servicio",
        "Gracias por la ayuda con mi factura",
        "¿Por qué me cobraron un cargo extra?",
        "No hay citas disponibles hasta el próximo mes",
        "El personal fue muy amable",
        "Me cobraron dos veces el recibo del agua",
        "Excelente servicio",
        "Todo bien",
        "Buenas tardes, quisiera saber el estado de mi solicitud",
        "Mi esposa y yo esperamos 3 horas",
    ),
    "fr": (
        "J'ai attendu deux heures au bureau et personne ne m'a aidé",
        "Le site ne fonctionne pas quand je veux payer",
        "Merci pour votre aide",
        "Pourquoi ma facture est-elle si élevée ?",
        "Bonjour, je voudrais connaître le statut de ma demande",
        "Très bien",
    ),
    "pt": ("O site não funciona quando tento pagar a conta", "Obrigado pelo atendimento, muito bom"),
    "de": (
        "Ich habe zwei Stunden gewartet und niemand hat mir geholfen",
        "Vielen Dank für die schnelle Hilfe",
    ),
    "it": ("Ho aspettato due ore e nessuno mi ha aiutato",),
    "zh": ("我等了两个小时",),
    "ko": ("두 시간 기다렸어요",),
    "ru": ("Я ждал два часа",),
    "ar": ("انتظرت ساعتين",),
    "vi": ("Tôi đã chờ hai tiếng đồng hồ",),
    "tl": ("Hindi po ako natulungan ng staff",),
}


def development_sets() -> dict[str, list[tuple[str, str]]]:
    """(text, expected language) per set."""
    split = committed_heldout()
    real = real_texts()
    foreign = [(text, VADER_NOT_ENGLISH[i]) for i, text in real if i in VADER_NOT_ENGLISH]
    foreign += [(text, lang) for lang, samples in NON_ENGLISH_SAMPLES.items() for text in samples]
    rng = random.Random(7)
    services = [service.id for service in city.SERVICES]
    tones: tuple[demo.Tone, ...] = ("negative", "positive", "question", "mixed", "sarcasm", "info")
    spanish = []
    for k in range(400):
        compose = demo.social_text if k % 2 else demo.comment_text
        spanish.append((compose(rng, rng.choice(services), rng.choice(tones), lang="es"), "es"))
    return {
        "SeeClickFix dev": [(r.text, "en") for r in labels.load() if r.source_id not in split["seeclickfix"]],
        "NHS dev": [(c.text, "en") for c in nhs_mapping.load() if c.comment_id not in split["nhs"]],
        "VADER tweets in English": [
            (text, "en")
            for i, text in real
            if i.startswith("vader:") and i not in VADER_NOT_ENGLISH and i not in VADER_MIXED
        ],
        "not English (real + samples)": foreign,
        "demo city Spanish (synthetic)": spanish,
    }


def _lingua(low_accuracy: bool) -> Detector:
    from lingua import LanguageDetectorBuilder  # type: ignore[import-not-found,import-untyped,unused-ignore]

    builder = LanguageDetectorBuilder.from_all_languages()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return "und" if found is None else str(found.iso_code_639_1.name.lower())

    return detect


def _english_words() -> Detector:
    """civicpulse's detector, with 'en' first for a text whose words (bar capitalised abbreviations and
    single letters, as civicpulse's check) are all in english-words' web2 + GCIDE lists (a plural
    counts as its singular): no frequencies, so no comparison with other languages."""
    from english_words import get_english_words_set  # type: ignore[import-not-found,import-untyped,unused-ignore]

    known = get_english_words_set(["web2", "gcide"], lower=True, alpha=True)

    def detect(text: str) -> str:
        cased = language._without_noise(text).replace("\u2019", "'")
        if not cased.lower().isascii() and language._script_language(cased.lower())[0] is not None:
            return detect_language(text)
        found = language._WORD.findall(cased)
        words = [w.lower() for w in found if cased.isupper() or not w.isupper()]
        words = [w.replace("'", "") for w in language._longer_than_a_letter(words, cased)]
        if words and all(w in known or (w.endswith("s") and w[:-1] in known) for w in words):
            return "en"
        return detect_language(text)

    return detect


CANDIDATES: dict[str, Callable[[], Detector]] = {
    "lingua": lambda: _lingua(False),
    "lingua-low": lambda: _lingua(True),
    "english-words": _english_words,
}


def report(name: str, detect: Detector, sets: dict[str, list[tuple[str, str]]]) -> str:
    lines = [f"== {name}"]
    for set_name, items in sets.items():
        found: Counter[str] = Counter()
        start = time.process_time()
        for text, expected in items:
            got = detect(text)
            found["right" if got == expected else got if got == "und" else "other"] += 1
        per_text = (time.process_time() - start) / len(items) * 1e6
        lines.append(
            f"  {set_name:<32} {len(items):>5} texts: right {found['right']:>5}  und {found['und']:>4}"
            f"  other {found['other']:>4}  ({per_text:,.0f} µs a text)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    unknown = [name for name in argv if name not in CANDIDATES]
    if unknown:
        print(f"usage: python -m evaluation.language_dev [{' | '.join(CANDIDATES)} ...]", file=sys.stderr)
        return 2
    sets = development_sets()
    detect_language("warm the word lists")
    print(report("civicpulse detect_language", detect_language, sets))
    for name in argv:
        start = time.process_time()
        try:
            detect = CANDIDATES[name]()
        except ImportError as error:
            print(f"{name}: {error} (install its package into the venv to measure it)", file=sys.stderr)
            return 2
        detect("warm up the detector")
        print(f"({name}: built and first call {time.process_time() - start:.2f} CPU-s)")
        print(report(name, detect, sets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
