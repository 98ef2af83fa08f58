"""Fast language identification for short feedback texts.

A Latin-script text whose words are all frequent English words, and likelier English than any other
profiled language by word frequency (`transforms.english_words`, wordfreq's lists), is English at
once: "Daycare services.", "Construction Hay", "Information, explanation, discussion, content, pace."
Other Latin-script texts are scored against small profiles of each language's most frequent words
(function words plus common feedback vocabulary) and its distinctive letters (ñ, ã, ß, ...);
non-Latin texts are identified by their Unicode script. This takes microseconds per text.
`langdetect` (seeded, so results are reproducible) is consulted only when a text of several
words gives no clear winner, which is rare for English and Spanish.

Texts without linguistic evidence, such as emoji, emoticons, hashtags, mentions, numbers or a
single unknown word, return 'und' rather than a guessed 'en': the language column then states
only what is known. Sentiment scoring still scores 'und' texts (VADER's emoji and emoticon
lexicon is language-neutral).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from transforms.english_words import english_words_only, judge, warm_english_words
from transforms.language_guard import COMMON_ENGLISH, MIN_WORDS_WITHOUT_EVIDENCE, accept_guess
from transforms.terms import STOPWORDS

__all__ = ["DETECTOR_VERSION", "PROFILED_LANGUAGES", "detect_language", "warm_langdetect"]

DETECTOR_VERSION = "4"  # 4: texts of English words (wordfreq) are English before the profiles

_PROFILES: dict[str, str] = {
    "en": """
        the a an and or but is are was were be been being am i i'm im i've i'd i'll you your you're
        youre he she it it's its we they them their theirs there this that these those of to in on at
        for with from by about as into onto my me mine our us not don't dont didn't didnt doesn't
        doesnt can't cant cannot won't wont isn't isnt wasn't wasnt aren't haven't have has had do
        does did will would should could can just so very what when where who whom why how here all
        any some if then than too also get got gets out up down now only after before again still
        because which while ever never every been over under through off would've lol omg lmao thx
        thanks thank please love loved hate good great bad worst best awesome amazing today
        tomorrow yesterday tonight day time people really know like one more going gonna want
        wanna need new much many well back way even make made see said say take took went go
        goes come came told ask asked called call calling phone website online office service
        customer staff help helped helpful nobody someone anyone everyone something nothing
        everything hours minutes week weeks month months line hold wait waited waiting my
        myself yourself again ok okay yes yeah yay ugh wow haha hahaha u ur im ya gotta happy sad
        sorry awful terrible horrible nice fun funny feel feeling life tired excited wish hope
        city county state department dmv permit permits license licence renewal renew fee fees
        bill bills billing payment pay paid charged application form forms appointment tax taxes
        water trash garbage street streets pothole parking ticket tickets housing rent inspection
        inspector clerk agent representative email letter notice account refund issue problem
        give gave put let keep think thought look looking find found left right big little long
        last first next never night morning weekend home work job school game watch watching
        movie music video photo friends friend family house car weather 'em 'cause y'all ain't
        """,
    "es": """
        el la los las un una unos unas y o de del que en es por para con sin se su sus al lo le les
        mi mis tu tus yo nos pero muy más mas ya como cuando donde dónde porque por qué que qué está
        esta están estan estoy estaba fue fueron ser son era hay tiene tienen tengo tenemos no sí si
        me te este esto eso ese esa estos esas todo todos toda nada nunca siempre también tambien
        hoy ayer mañana manana aquí aqui allí gracias hola buenos buenas bueno buena bien mal malo
        mala servicio oficina cita citas pago pagar pagué factura cobro cobraron espera esperando
        esperé horas hora tiempo nadie ni desde hasta sobre entre otra otro otros puedo puede
        pueden quiero necesito llamé llame llamar dijeron dicen dijo hace hacer ha han he hemos
        usted ustedes ellos ellas nosotros página pagina sitio web teléfono telefono atención
        atencion ayuda persona personas día dia días dias semana semanas mes meses año años
        después despues antes ahora todavía todavia pésimo pesimo excelente gente mucho mucha
        muchos solo sólo sea son están
        """,
    "pt": """
        o os a as um uma e é de do da dos das que em no na nos nas por para com sem se seu sua seus
        ao à mas muito muita muitos mais já como quando onde porque não nao está estou estava foi
        ser são sao tem têm tenho eu você voce vocês isso isto esse essa este esta tudo nada nunca
        sempre também tambem hoje ontem aqui obrigado obrigada olá ola bom boa ruim atendimento
        pelo pela ele ela eles elas até ate ainda depois antes agora fiz foram pagamento conta
        horas dia dias semana ninguém ninguem preciso quero serviço servico site telefone
        """,
    "fr": """
        le la les un une des du de et est en que qui pour pas ne je j'ai il elle nous vous ils elles
        sur avec dans par au aux ce cette ces mais plus très tres tout tous toute sont été ete
        avoir être etre mon ma mes ton ta tes son sa ses leur leurs y ou où c'est n'est merci
        bonjour depuis rien jamais toujours aujourd'hui encore comme je suis j'aime ça ca personne
        heures jours semaine service site téléphone telephone attente rendez-vous paiement facture
        bien mal avez avons fait faire peut
        """,
    "de": """
        der das und ist nicht ich sie wir ein eine einen einem einer mit auf für fur von zu den dem
        des es sich auch noch nur wie aber sehr wenn oder bei nach kein keine keinen mein meine
        haben sind wird wurde wurden schon danke bitte heute immer nichts jetzt hier seit warum
        schlecht leider stunden termin rechnung dass daß kann können konnte niemand
        """,
    "it": """
        il lo gli una di del della dello dei delle che è per con non sono ho ha hanno mi ti si ma
        più piu molto molta come quando anche questo questa quello nel nella nei al alla alle
        grazie ciao sempre niente ancora oggi ieri perché perche sei siamo essere stato stata
        servizio ufficio ore giorni settimana pagamento bolletta nessuno tutto tutti
        """,
    "nl": """
        het een van ik niet zijn maar ook voor bij nog naar hij geen mijn deze dit heb hebben wel
        heel bedankt dank jij jullie zij wij hun onze ons uur dagen week betalen rekening
        gemeente niemand altijd nooit vandaag gisteren waarom omdat wordt werd kunnen moet
        """,
    "tl": """
        ang ng mga ay ko mo po hindi ako siya kami tayo sila ito yung lang naman rin din kasi
        salamat opo wala meron nang ba natin namin nila niya kayo sana talaga
        """,
    "vi": """
        không của và là tôi được có cho này những với người một các đã rất cảm ơn bạn chúng
        """,
}

_DISTINCTIVE_CHARS: dict[str, str] = {
    "es": "ñ¿¡",
    "pt": "ãõ",
    "fr": "èëîïœùûÿ",
    "de": "ßäöü",
    "it": "ìò",
    "vi": "ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
}

PROFILED_LANGUAGES: tuple[str, ...] = tuple(_PROFILES)

_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0E00, 0x0E7F, "th"),
    (0x0E80, 0x0EFF, "lo"),
    (0x1000, 0x109F, "my"),
    (0x10A0, 0x10FF, "ka"),
    (0x1100, 0x11FF, "ko"),
    (0x1200, 0x137F, "am"),
    (0x1780, 0x17FF, "km"),
    (0x3040, 0x30FF, "ja"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),
)
_UKRAINIAN = frozenset("ієїґ")
_PERSIAN = frozenset("پچژگ")

_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _PROFILES.items():
    for _w in _words.split():
        if _lang not in _WORD_LANGS.get(_w, ()):
            _WORD_LANGS[_w] = (*_WORD_LANGS.get(_w, ()), _lang)


def _vader_words() -> frozenset[str]:
    """English sentiment vocabulary and slang from VADER's lexicon, used as weak evidence for 'en'."""
    try:
        import vaderSentiment.vaderSentiment as vader  # type: ignore[import-untyped]

        path = Path(vader.__file__).with_name("vader_lexicon.txt")
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return frozenset()
    words = (line.split("\t", 1)[0] for line in lines)
    return frozenset(w for w in words if w.isalpha() and w not in _WORD_LANGS)


_ENGLISH_LEXICON = _vader_words()
# Words an English text is made of: the profile's, VADER's lexicon, the guard's frequent report words
# and the project's English stopwords (transforms.terms).
_ENGLISH_VOCABULARY = frozenset(_PROFILES["en"].split()) | _ENGLISH_LEXICON | COMMON_ENGLISH | STOPWORDS
_CERTAIN_ENGLISH_SHARE = 0.75
_CERTAIN_ENGLISH_MIN_WORDS = 3
_ENGLISH_LEXICON_WEIGHT = 0.5
_CHAR_LANGS: dict[str, str] = {c: lang for lang, chars in _DISTINCTIVE_CHARS.items() for c in chars}
# What each word adds to which language's score: 1 for each profile it is in, else
# _ENGLISH_LEXICON_WEIGHT to English for a word of VADER's lexicon (in no profile, so never both).
_EVIDENCE: dict[str, tuple[tuple[str, float], ...]] = {
    **{word: tuple((lang, 1.0) for lang in langs) for word, langs in _WORD_LANGS.items()},
    **{word: (("en", _ENGLISH_LEXICON_WEIGHT),) for word in _ENGLISH_LEXICON},
}

_DOMAIN_ENDING = r"\.(?:com|org|net|gov|edu)"
_DOMAIN_ENDINGS = (".com", ".org", ".net", ".gov", ".edu")  # _DOMAIN_ENDING's, as substrings
_MAYBE_DOMAIN = re.compile(_DOMAIN_ENDING, re.IGNORECASE)
# _NOISE without its domain alternative, which only matches before a domain ending but is tried at
# every word: the same substitution in a text without one
_NOISE_BUT_DOMAINS = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+|&\w+;|<[^<>]*>", re.IGNORECASE)
_NOISE = re.compile(_NOISE_BUT_DOMAINS.pattern + r"|\b[\w.-]+" + _DOMAIN_ENDING + r"\b\S*", re.IGNORECASE)
# Every match of _NOISE holds one of these characters or a domain ending: a cheap test to skip it.
_MAYBE_NOISE = re.compile(r"[@#&<]|://|www\.|" + _DOMAIN_ENDING, re.IGNORECASE)
_MARKERS = ("@", "#", "&", "<", "://", "www.")  # _MAYBE_NOISE in ASCII lower-case text, bar the endings
_WORD = re.compile(r"'?[^\W\d_]+(?:'[^\W\d_]+)?")
# _WORD in ASCII lower-case text, faster: the same matches, with the leading apostrophe a second branch
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|'[a-z]+(?:'[a-z]+)?")

_MIN_WINNING_SCORE = 2.0
_FALLBACK_MIN_WORDS = 4
_FALLBACK_MIN_LETTERS = 20
_FALLBACK_MIN_PROBABILITY = 0.85

_detector_factory: Any = None
_fast_detector: Any = None
_factory_lock = threading.Lock()


def _script_language(text: str) -> tuple[str | None, int]:
    """The language implied by the dominant non-Latin script, and the number of Latin letters."""
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        code = ord(ch)
        if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            latin += 1
            continue
        for lo, hi, lang in _SCRIPTS:
            if lo <= code <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None, latin
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    if n < latin:
        return None, latin
    if lang == "zh" and counts.get("ja", 0):
        return "ja", latin
    if lang == "ru" and any(c in _UKRAINIAN for c in text.lower()):
        return "uk", latin
    if lang == "ar" and any(c in _PERSIAN for c in text):
        return "fa", latin
    return lang, latin


_rows: dict[str, Any] = {}


def _row(word_lang_prob_map: Mapping[str, list[float]], word: str) -> Any:
    import numpy as np

    row = _rows.get(word)
    if row is None:
        row = _rows.setdefault(word, np.array(word_lang_prob_map[word], dtype=np.float64))
    return row


def _detector_class() -> type:
    """langdetect's Detector with its sampling loop on numpy arrays: the same random draws and the
    same floating-point operations in the same order (elementwise products, the builtin `sum` for
    normalising), so the same probabilities, several times faster."""
    import numpy as np
    from langdetect.detector import Detector  # type: ignore[import-untyped]
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException  # type: ignore[import-untyped]

    class FastDetector(Detector):  # type: ignore[misc]
        def _detect_block(self) -> None:
            self._trials(None)

        def decide(self, min_probability: float) -> str | None:
            """The language of `get_probabilities()[0]` when its probability is `min_probability` (over
            0.5) or more, else None, without the trials that can no longer change that answer."""
            if not 0.5 < min_probability <= 1.0:
                raise ValueError(f"min_probability {min_probability} is not in (0.5, 1]")
            return self._trials(min_probability)

        def _trials(self, min_probability: float | None) -> str | None:
            """langdetect's trials, adding to `langprob`. With `min_probability`, they stop as soon as a
            language has that much (trials only add to it, and no other language can then reach it) or
            none can reach it any more (a trial adds at most 1/n_trial to each), and the answer is
            returned: the same as after all trials."""
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            distinct = list(dict.fromkeys(ngrams))
            position = {word: k for k, word in enumerate(distinct)}
            table = np.stack([_row(self.word_lang_prob_map, word) for word in distinct])
            slot = [position[word] for word in ngrams]
            # random.choice(ngrams) is ngrams[random._randbelow(len(ngrams))], and _randbelow draws
            # getrandbits(len(ngrams).bit_length()) until the number is below len(ngrams) (CPython's
            # Random): the same draws, inlined, at a tenth of choice's cost
            getrandbits, count = self.random.getrandbits, len(ngrams)
            bits = count.bit_length()
            self.langprob = [0.0] * len(self.langlist)
            self.random.seed(self.seed)
            for trial in range(1, self.n_trial + 1):
                prob = np.array(self._init_probability(), dtype=np.float64)
                alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                # weight + p(word|lang) for each n-gram of the text: the sum langdetect forms at every
                # draw; a list of rows, which indexes faster than the array
                rows = list((alpha / self.BASE_FREQ) + table)
                factors = [rows[k] for k in slot]
                draws = 1  # langdetect normalises and checks after draws i = 0, 5, 10, ...
                i = 0
                while True:
                    for _ in range(draws):
                        k = getrandbits(bits)
                        while k >= count:
                            k = getrandbits(bits)
                        prob *= factors[k]
                    values = prob.tolist()
                    total = sum(values)
                    prob /= total
                    # division by a positive total keeps the order, so the largest quotient is the
                    # largest value's: max(values) / total is the normalised maximum, bit for bit
                    if max(0.0, max(values) / total) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                    draws = 5
                    i += 5
                for j, p in enumerate(prob.tolist()):
                    self.langprob[j] += p / self.n_trial
                if min_probability is not None:
                    top = max(self.langprob)
                    if top >= min_probability:
                        return str(self.langlist[self.langprob.index(top)])
                    # each normalised p is at most 1; the margin covers the rounding of the sums
                    if top + (self.n_trial - trial) / self.n_trial + 1e-9 < min_probability:
                        return None
            return None

    return FastDetector


class _ProfileRows(Mapping[str, list[float]]):
    """langdetect's n-gram -> per-language probability map (`DetectorFactory.word_lang_prob_map`)
    with each row computed on first use, not all 87,598 at load: `DetectorFactory.load_profile` reads
    the profiles in the same (directory) order and `add_profile` forms each value with the same
    expression, so the rows are the same; only the n-grams of texts that reach langdetect are built."""

    def __init__(self, directory: str) -> None:
        names = os.listdir(directory)
        self._size = len(names)  # load_profile sizes its rows by the directory's entries
        self.langs: list[str] = []
        self._profiles: list[tuple[int, dict[str, int], list[int]]] = []
        words: set[str] = set()
        for name in names:
            path = os.path.join(directory, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            self._profiles.append((len(self.langs), data["freq"], data["n_words"]))
            self.langs.append(data["name"])
            words.update(data["freq"])
        self._words = frozenset(words)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, word: str) -> list[float]:
        if word not in self._words:
            raise KeyError(word)
        row = [0.0] * self._size
        length = len(word)
        if 1 <= length <= 3:
            for index, freq, n_words in self._profiles:
                count = freq.get(word)
                if count is not None:
                    row[index] = 1.0 * count / n_words[length - 1]
        return row


def warm_langdetect() -> Any:
    """langdetect's profiles, loaded once per process (a tenth of a second: see _ProfileRows), and the
    English word lists (`transforms.english_words`, another tenth), so that workers forked after it
    do not load them each."""
    global _detector_factory, _fast_detector
    if _detector_factory is None:
        with _factory_lock:
            if _detector_factory is None:
                warm_english_words()
                from langdetect.detector_factory import (  # type: ignore[import-untyped]
                    PROFILES_DIRECTORY,
                    DetectorFactory,
                )

                factory = DetectorFactory()
                rows = _ProfileRows(PROFILES_DIRECTORY)
                factory.langlist = rows.langs
                factory.word_lang_prob_map = rows
                factory.set_seed(0)
                _fast_detector = _detector_class()
                _detector_factory = factory
    return _detector_factory


def _langdetect(text: str) -> str | None:
    factory = warm_langdetect()
    try:
        detector = _fast_detector(factory)
        detector.append(text)
        best: str | None = detector.decide(_FALLBACK_MIN_PROBABILITY)
    except Exception:
        return None
    return None if best is None else best.split("-")[0]


def _certainly_english(words: list[str], scores: dict[str, float]) -> bool:
    """Whether the words of a text the profiles leave undecided are English words, nearly all of them.

    Decided without langdetect, whose character n-grams misread short English texts ("Yard debris
    needs pickup" comes back as Dutch): a short text without profile evidence that has an English
    word (`transforms.language_guard` turns any non-English guess for it into 'en'; langdetect's
    'und' when unsure becomes 'en'), or a text where 'en' has at least as much profile evidence as
    any other language and at least `_CERTAIN_ENGLISH_SHARE` of the words of two or more letters are
    English vocabulary (a plural counts as its singular).
    """
    if any(score > scores.get("en", 0.0) for score in scores.values()):
        return False
    if not any(scores.values()) and len(words) < MIN_WORDS_WITHOUT_EVIDENCE:
        # no profile or lexicon word: langdetect's guess would give way to 'en' for any English word
        # (language_guard) or leave 'und' when it is unsure; English words make it 'en' either way
        return any(_is_english_word(w) for w in words)
    long_words = [w.strip("'") for w in words if len(w.strip("'")) >= 2]
    if len(long_words) < _CERTAIN_ENGLISH_MIN_WORDS:
        return False
    known = sum(1 for w in long_words if _is_english_word(w))
    return known >= _CERTAIN_ENGLISH_SHARE * len(long_words)


def _is_english_word(word: str) -> bool:
    """In `_ENGLISH_VOCABULARY`, or a plural of a word in it."""
    return word in _ENGLISH_VOCABULARY or (word.endswith("s") and word[:-1] in _ENGLISH_VOCABULARY)


def _apostrophe_evidence(word: str) -> tuple[tuple[str, float], ...]:
    """The evidence of a word with an apostrophe that is in no profile as it is ("'cause'", "o'clock"):
    that of the word without its outer apostrophes, or without any."""
    stripped = word.strip("'")
    langs = _WORD_LANGS.get(stripped) or _WORD_LANGS.get(stripped.replace("'", ""))
    if langs:
        return tuple((lang, 1.0) for lang in langs)
    return (("en", _ENGLISH_LEXICON_WEIGHT),) if stripped in _ENGLISH_LEXICON else ()


def _holds_any(text: str, parts: tuple[str, ...]) -> bool:
    for part in parts:  # a plain loop: faster than any() over a generator here
        if part in text:
            break
    else:
        return False
    return True


def _without_noise(text: str) -> str:
    """`_NOISE.sub(" ", text)`, with cheaper tests first."""
    if text.isascii():
        lower = text.lower()
        domain = "." in lower and _holds_any(lower, _DOMAIN_ENDINGS)
        if not domain and not _holds_any(lower, _MARKERS):
            return text
    else:
        if not _MAYBE_NOISE.search(text):
            return text
        domain = _MAYBE_DOMAIN.search(text) is not None
    return (_NOISE if domain else _NOISE_BUT_DOMAINS).sub(" ", text)


def _english_words(text: str, words: list[str]) -> bool:
    """Whether the words of `text` (`words`, lower-case) of two or more letters are English by
    wordfreq's lists (`transforms.english_words`): all of them or, in a text with lower-case letters,
    all but those written in capitals, abbreviations that are no language's words ("Daycare TES
    services."). Single letters ("E C D - Vacant lots", "N/a") are initials or words of every
    language, no evidence either way."""
    cased = text.replace("\u2019", "'")
    candidates = _longer_than_a_letter(words, cased)
    unknown, english = judge(candidates)
    if unknown is None:
        return english and bool(candidates)
    # only an abbreviation can make the words English without it: the unknown word in capitals
    if unknown.upper() not in cased or cased.isupper():
        return False
    uncapitalised = [word.lower() for word in _WORD.findall(cased) if not word.isupper()]
    return english_words_only(_longer_than_a_letter(uncapitalised, cased))


def _longer_than_a_letter(words: list[str], text: str) -> list[str]:
    """`words` (of `text`) of two or more letters, without outer apostrophes."""
    if "'" in text:
        words = [word.strip("'") for word in words]
    return [word for word in words if len(word) > 1]


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of `text`'s language, or 'und' when there is no evidence."""
    text = _without_noise(text)
    lower = text.lower().replace("\u2019", "'")
    latin_letters = -1
    if not lower.isascii():
        script_lang, latin_letters = _script_language(lower)
        if script_lang is not None:
            return script_lang
    words = (_WORD if latin_letters >= 0 else _ASCII_WORD).findall(lower)
    if not words:
        return "und"
    if _english_words(text, words):
        return "en"
    scores: dict[str, float] = {}
    for word in words:
        evidence = _EVIDENCE.get(word)
        if evidence is None:
            if "'" not in word:
                continue
            evidence = _apostrophe_evidence(word)
        for lang, weight in evidence:
            scores[lang] = scores.get(lang, 0.0) + weight
    if latin_letters >= 0:
        for ch in lower:
            lang_of_char = _CHAR_LANGS.get(ch)
            if lang_of_char is not None:
                scores[lang_of_char] = scores.get(lang_of_char, 0.0) + 1.0
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_lang, best = ranked[0] if ranked else ("und", 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= _MIN_WINNING_SCORE and best >= 1.5 * second + 0.5:
        return best_lang
    if best >= 1.0 and second == 0.0:
        return best_lang
    if best > second and len(words) <= 3:
        return best_lang
    # With evidence for one language only, langdetect can confirm it or be overruled by it: either
    # way the answer is that language, so the (slow) call is skipped.
    if best > 0.0 and second == 0.0:
        return best_lang
    if len(words) >= _FALLBACK_MIN_WORDS and sum(len(w) for w in words) >= _FALLBACK_MIN_LETTERS:
        if _certainly_english(words, scores):
            return "en"
        accepted = accept_guess(_langdetect(text), words, scores)
        if accepted is not None:
            return accepted
    return best_lang if best > second else "und"
