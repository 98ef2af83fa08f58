"""A PII redaction corpus nobody here wrote by hand: `python -m evaluation.pii_corpus [--out FILE]`.

Base texts are real resident writing from `../shared/data/real/`: SeeClickFix reports from Georgia
(open311/, field `description`) and NHS Friends and Family Test comments (nhs_patient_feedback/,
field `FFT answer`, CC BY-NC-SA 4.0, evaluation only). Into each base text the generator inserts
personal data made by Faker 40.54.0 (pinned) in several locales and many written shapes, inside a
carrier sentence, at a sentence boundary; real NYC 311 incident addresses (gov_feedback_text/) are
used as a second source of addresses. Each base text also gets a decoy sentence (amounts, times,
dates of service, routes, highways, speed limits, ZIP codes, labelled order numbers, years,
counts, 311, exit numbers) that must come out unchanged: those are the clean texts. Personal data
already in the real texts is labelled by span in `data/pii_real_labels.json`.

Everything is drawn from seeded generators (one `random.Random` and one Faker seed per base text),
so the corpus is the same on every machine and is generated at evaluation time, not stored.

The split into development and held-out halves is by a hash of the base text's id (`split_of`),
fixed before the redactor was tuned: tune on `development`, report `heldout` only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from evaluation import DATA_DIR, SHARED_REAL

SEED = 20261201
SPLIT_SALT = "civicpulse-pii-split-v1"
SEECLICKFIX = (
    SHARED_REAL / "open311" / "seeclickfix_atlanta_resident_text_development.jsonl",
    SHARED_REAL / "open311" / "seeclickfix_atlanta_resident_text_excerpt.jsonl",
)
NHS = SHARED_REAL / "nhs_patient_feedback" / "nhft.csv"
NYC311 = SHARED_REAL / "gov_feedback_text" / "nyc311_service_requests_sample.csv"
REAL_LABELS = DATA_DIR / "pii_real_labels.json"
NHS_LIMIT = 1500
PII_PER_BASE = 2

# Kinds the redactor claims; NAME_OTHER (names not introduced as such, labelled in the real texts)
# is reported but not claimed.
KINDS = (
    "EMAIL",
    "PHONE",
    "SSN",
    "CARD",
    "ADDRESS",
    "DOB",
    "ACCOUNT",
    "CASE_ID",
    "DRIVERS_LICENSE",
    "PLATE",
    "IP",
    "NAME",
)
UNCLAIMED = ("NAME_OTHER",)
LOCALES = ("en_US", "en_GB", "en_CA", "en_AU", "es_MX", "en_IE", "en_NZ")


@dataclass(frozen=True)
class Item:
    kind: str
    value: str
    source: str  # "faker", "nyc311" or "real"


@dataclass
class Text:
    id: str
    base_id: str
    split: str
    text: str
    items: list[Item] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class Base:
    id: str
    text: str
    real: tuple[Item, ...]


def split_of(base_id: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_SALT}:{base_id}".encode()).digest()
    return "development" if digest[0] % 2 == 0 else "heldout"


def _seeclickfix() -> Iterator[Base]:
    labels = json.loads(REAL_LABELS.read_text(encoding="utf-8"))
    exclude = set(labels["exclude"])
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for source_id, kind, start, end in labels["spans"]:
        spans.setdefault(source_id, []).append((kind, start, end))
    for path in SEECLICKFIX:
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            source_id, text = str(row["source_id"]), str(row["description"]).strip()
            if source_id in exclude or len(text) < 15:
                continue
            real = []
            for kind, start, end in spans.get(source_id, []):
                value = str(row["description"])[start:end]
                if not value or not value[0].isalnum() or not value[-1].isalnum():
                    raise ValueError(
                        f"{REAL_LABELS}: span {start}-{end} of {source_id} ({path.name}:{line_no}) "
                        "no longer fits: update the spans"
                    )
                real.append(Item(kind, value, "real"))
            yield Base(f"scf-{source_id}", text, tuple(real))


def _nhs() -> Iterator[Base]:
    with NHS.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if len(row["FFT answer"].strip()) >= 20]
    for row in random.Random(SEED).sample(rows, min(NHS_LIMIT, len(rows))):
        yield Base(f"nhs-{row['Comment ID']}", row["FFT answer"].strip(), ())


def bases() -> list[Base]:
    return [*_seeclickfix(), *_nhs()]


def _nyc_addresses() -> list[str]:
    with NYC311.open(encoding="utf-8", newline="") as handle:
        found = {re.sub(r"\s+", " ", row["incident_address"]).strip() for row in csv.DictReader(handle)}
    return sorted(address for address in found if re.match(r"\d", address))


# ---- personal data in many shapes -------------------------------------------------------------


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _us_number(rng: random.Random) -> tuple[str, str, str]:
    return f"{rng.randint(2, 9)}{_digits(rng, 2)}", f"{rng.randint(2, 9)}{_digits(rng, 2)}", _digits(rng, 4)


_PHONE_SHAPES = (
    "({a}) {b}-{c}",
    "({a}){b}-{c}",
    "{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "{a} {b} {c}",
    "{a}{b}{c}",
    "1-{a}-{b}-{c}",
    "+1 {a} {b} {c}",
    "+1 ({a}) {b}-{c}",
    "+1{a}{b}{c}",
    "{a}-{b}{c}",
    "{a}/{b}-{c}",
    "{a}/{b}{c}",
    "{b}-{c}",
    "{b}.{c}",
    "{a}-{b}-{c} ext. {x}",
    "({a}) {b}-{c} x{x}",
)


def _phone(fake: Faker, rng: random.Random) -> str:
    if rng.random() < 0.45:
        return str(fake.phone_number())
    a, b, c = _us_number(rng)
    return rng.choice(_PHONE_SHAPES).format(a=a, b=b, c=c, x=rng.randint(2, 9999))


def _email(fake: Faker, rng: random.Random) -> str:
    address = str(rng.choice((fake.email, fake.free_email, fake.company_email, fake.safe_email))())
    local, domain = address.split("@")
    style = rng.random()
    if style < 0.5:
        return address if rng.random() < 0.8 else address.upper()
    if style < 0.65:
        return f"{local} @ {' . '.join(domain.split('.'))}"
    if style < 0.8:
        return f"{local} at {' dot '.join(domain.split('.'))}"
    if style < 0.9:
        return f"{local} [at] {' [dot] '.join(domain.split('.'))}"
    return f"{local}(at){'(dot)'.join(domain.split('.'))}"


_ABBREVIATIONS = {"Street": "St.", "Avenue": "Ave.", "Road": "Rd.", "Drive": "Dr.", "Boulevard": "Blvd."}
_UNITS = ("#{n}", "Apt {n}", "Apt. {n}", "Unit {n}", "Suite {n}", "Ste {n}", "#{n}B", "Apt {n}-C")


def _address(fake: Faker, rng: random.Random, nyc: Sequence[str]) -> tuple[str, str]:
    style = rng.random()
    if style < 0.2:
        return rng.choice(nyc), "nyc311"
    if style < 0.3:
        number, route = rng.randint(100, 9999), rng.randint(1, 450)
        road = rng.choice(
            ("HIGHWAY", "Highway", "Hwy", "US Hwy", "State Route", "County Road", "SR", "Route")
        )
        return f"{number} {road} {route}", "faker"
    address = str(fake.street_address())
    if rng.random() < 0.3:
        for long, short in _ABBREVIATIONS.items():
            address = address.replace(long, short)
    if rng.random() < 0.25:
        address += " " + rng.choice(("NE", "SE", "NW", "SW", "N", "S"))
    if rng.random() < 0.25 and not re.search(r"Apt|Suite|Unit|Interior|Depto", address):
        address += " " + rng.choice(_UNITS).format(n=rng.randint(1, 40))
    if rng.random() < 0.2:
        address = address.upper()
    return address, "faker"


_DOB_SHAPES = (
    "%m/%d/%Y",
    "{m}/{d}/%Y",
    "{m}/{d}/%y",
    "%Y-%m-%d",
    "%m-%d-%Y",
    "%B {d}, %Y",
    "%b. {d}{o}, %Y",
    "%b {d} %Y",
    "{d} %B %Y",
    "%d/%m/%Y",
    "{d}{o} of %B %Y",
    "%m.%d.%Y",
)


def _ordinal(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_BORN_FROM, _BORN_TO = dt.date(1930, 1, 1), dt.date(2009, 12, 31)  # ages 16 to 95 in 2025


def _dob(fake: Faker, rng: random.Random) -> str:
    # Fixed bounds: Faker's date_of_birth counts back from today, which changed the corpus every day.
    born: dt.date = fake.date_between_dates(_BORN_FROM, _BORN_TO)
    shape = rng.choice(_DOB_SHAPES).format(m=born.month, d=born.day, o=_ordinal(born.day))
    return born.strftime(shape)


def _ssn(fake: Faker, rng: random.Random) -> str:
    ssn = str(fake.ssn())
    style = rng.random()
    if style < 0.2:
        return ssn.replace("-", "")
    if style < 0.4:
        return ssn.replace("-", " ")
    return ssn


def _card(fake: Faker, rng: random.Random) -> str:
    kind = rng.choice(("visa16", "mastercard", "amex", "discover", "visa13", "jcb16"))
    number = str(fake.credit_card_number(card_type=kind))
    style = rng.random()
    if style < 0.4:
        return number
    sep = " " if style < 0.75 else "-"
    if len(number) == 15:
        return sep.join((number[:4], number[4:10], number[10:]))
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


_ACCOUNT_SHAPES = (
    "########",
    "#########",
    "##-######-##",
    "UB########",
    "??-#######",
    "####-######",
    "##########",
)
_CASE_SHAPES = (
    "20##-######",
    "##-#######",
    "SR-20##-######",
    "BP-20##-#####",
    "CE##-#####",
    "C#######",
    "PRMT-#####",
    "REF-????-####",
    "#######",
    "2#########",
    "??20##-####",
)
_LICENCE_SHAPES = (
    "?#######",
    "#########",
    "?###-###-##-###-#",
    "###-###-###",
    "?##-###-####",
    "?########",
    "??######",
    "#######",
)


def _bothify(fake: Faker, rng: random.Random, shapes: Sequence[str]) -> str:
    return str(fake.bothify(rng.choice(shapes), letters="ABCDEFGHJKLMNPRSTUVWXYZ"))


def _uk_licence(fake: Faker, rng: random.Random) -> str:
    surname = re.sub(r"[^A-Z]", "", str(fake.last_name()).upper())[:5].ljust(5, "9")
    return f"{surname}{_digits(rng, 6)}{fake.bothify('??#??', letters='ABCDEFGHJKLMNPRSTUVWXYZ')}"


def _plate(fake: Faker, rng: random.Random) -> str:
    if rng.random() < 0.2:
        return _bothify(fake, rng, ("???-####", "??? ####", "???####", "#??-###", "?##-???"))
    return str(fake.license_plate())


def _ip(fake: Faker, rng: random.Random) -> str:
    return str(rng.choice((fake.ipv4_public, fake.ipv4_private, fake.ipv6))())


def _name(fake: Faker, rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{fake.first_name()} {fake.last_name()}"
    return str(fake.name())


# Carrier sentences: {v} is the value. Several per kind, in the registers residents and agents use.
CARRIERS: dict[str, tuple[str, ...]] = {
    "EMAIL": (
        "Email me at {v} with any update.",
        "My email is {v}",
        "contact: {v}",
        "Please send the reply to {v} thanks.",
        "You can reach me by email ({v}).",
        "email {v} or call",
    ),
    "PHONE": (
        "Callback # {v}",
        "CB # {v}",
        "contact # {v}",
        "Please call me at {v} when this is fixed.",
        "My cell is {v}.",
        "Phone: {v}",
        "tel {v}",
        "Reach me on {v} after 5pm.",
        "Caller can be reached at {v}",
        "my number is {v} if you need more info",
        "Text {v} with questions.",
        "call back number {v}",
    ),
    "SSN": (
        "SSN {v}",
        "my social security number is {v}",
        "Social: {v}",
        "SS# {v}",
        "They asked for my SSN ({v}) on the form.",
    ),
    "CARD": (
        "my card # {v} was charged twice",
        "I paid with card {v} and got no receipt",
        "charged to {v}",
        "Visa {v} declined online",
        "card number: {v}",
    ),
    "ADDRESS": (
        "I live at {v}.",
        "Pothole in front of {v}, please fix.",
        "Trash was missed again at {v}",
        "My address is {v}",
        "LIMBS @ {v}",
        "Debris at {v} needs pickup.",
        "The house at {v} has been vacant for months.",
        "Location: {v}",
    ),
    "DOB": (
        "DOB {v}",
        "D.O.B.: {v}",
        "born {v}",
        "b. {v}",
        "date of birth, {v},",
        "my birthdate is {v}",
        "I was born on {v}",
        "Date of birth: {v}.",
    ),
    "ACCOUNT": (
        "account number {v}",
        "acct # {v}",
        "utility account {v} autopay failed",
        "water account no. {v}",
        "Customer # {v} disputes the bill",
        "My account is {v}",
    ),
    "CASE_ID": (
        "case {v}",
        "Case number {v} is still open",
        "Case #{v}",
        "permit {v}",
        "permit no. {v} was approved",
        "service request {v}",
        "SR# {v}",
        "reference {v}",
        "ticket # {v}",
        "claim number {v}",
        "citation {v}",
        "complaint # {v}",
    ),
    "DRIVERS_LICENSE": (
        "driver's license {v}",
        "DL# {v}",
        "my license number is {v}",
        "driver license no. {v}",
        "driving licence {v}",
        "DL {v}",
    ),
    "PLATE": (
        "plate {v}",
        "a silver Honda with license plate {v} is parked on the sidewalk",
        "tag # {v}",
        "plates {v}",
        "the truck (tag number {v}) blocks the driveway",
        "Vehicle reg {v} abandoned for weeks.",
        "car with plate number {v} has not moved",
    ),
    "IP": (
        "my IP is {v}",
        "the site blocked IP address {v}",
        "error from {v} when I pay",
        "IP: {v}",
    ),
    "NAME": (
        "My name is {v}.",
        "my name is {v} and I live on this street",
        "This is {v} calling about the permit.",
        "Hi, this is {v}.",
        "I'm {v}, a resident of this area.",
        "I am {v} and I reported this before.",
        "Name: {v}",
    ),
}

_DECOYS: tuple[Callable[[random.Random], str], ...] = (
    lambda r: f"I paid ${r.randint(10, 2000)}.{r.randint(0, 99):02d} for this.",
    lambda r: f"The fee went up to ${r.randint(1, 9)},{r.randint(100, 999)}.",
    lambda r: f"I waited {r.randint(2, 90)} minutes on hold.",
    lambda r: (
        f"They came at {r.randint(1, 12)}:{r.choice(('00', '15', '30', '45'))} "
        f"{r.choice(('am', 'pm', 'AM', 'PM'))}."
    ),
    lambda r: f"Open from {r.randint(7, 10)}:30 to {r.randint(3, 6)}:00.",
    lambda r: f"My appointment was on {r.randint(1, 12)}/{r.randint(1, 28)}/20{r.randint(18, 26)}.",
    lambda r: f"Service was scheduled for March {r.randint(1, 28)}, 20{r.randint(18, 26)}.",
    lambda r: f"The {r.randint(1, 199)} bus on route {r.randint(1, 199)} was late again.",
    lambda r: f"Route {r.randint(1, 99)} is closed near the bridge.",
    lambda r: f"Traffic on Hwy {r.randint(1, 450)} backs up every morning.",
    lambda r: f"Take I-{r.choice((20, 75, 85, 285, 475, 16, 95))} to exit {r.randint(1, 250)}.",
    lambda r: f"Exit {r.randint(1, 99)} {r.choice(('Main', 'Oak', 'Peachtree', 'Church'))} Rd is confusing.",
    lambda r: f"The speed limit is {r.choice((25, 35, 45, 55))} MPH but people do {r.randint(50, 80)} mph.",
    lambda r: f"Since {r.randint(1990, 2025)} the road has gotten worse.",
    lambda r: f"I have lived in zip code {r.randint(30002, 31999)} for years.",
    lambda r: f"This happens all over {r.randint(30002, 31999)}.",
    lambda r: f"Order #{r.randint(100000, 999999)} for a new cart never arrived.",
    lambda r: f"order number {r.randint(100, 999)}-{r.randint(100, 999)}-{r.randint(1000, 9999)} was shipped",
    lambda r: f"It has been like this since {r.randint(1995, 2025)}.",
    lambda r: f"There were {r.randint(2, 60)} people in line.",
    lambda r: f"I called 311 {r.randint(2, 9)} times.",
    lambda r: f"The {r.choice((75, 85, 285, 20))} traffic lane is blocked.",
    lambda r: f"GA {r.choice((400, 316, 141, 78))} is a mess at rush hour.",
    lambda r: f"US {r.choice((41, 19, 23, 78, 29))} needs repaving.",
    lambda r: f"Pole #{r.randint(100000, 999999)} has a broken light.",
    lambda r: f"About {r.randint(2, 40)} cars parked along the 3{r.randint(1, 9)}00 block of Oak Ave.",
    lambda r: f"Room {r.randint(100, 499)} on the {r.choice(('2nd', '3rd', '4th'))} floor.",
    lambda r: f"It took {r.randint(2, 11)} weeks and {r.randint(2, 6)} days.",
    lambda r: f"Rated {r.randint(1, 5)} out of 5.",
    lambda r: f"Version {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)} of the app crashes.",
)


def _insert(rng: random.Random, base: str, sentence: str) -> str:
    if base.isupper():
        sentence = sentence.upper()
    bounds = [m.end() for m in re.finditer(r"[.!?]\s+", base)]
    where = rng.choice([0, len(base), *bounds])
    if where == 0:
        return f"{sentence} {base}"
    if where == len(base):
        return f"{base} {sentence}"
    return f"{base[:where]}{sentence} {base[where:]}"


_MAKERS: dict[str, Callable[[Faker, random.Random], str]] = {
    "EMAIL": _email,
    "PHONE": _phone,
    "SSN": _ssn,
    "CARD": _card,
    "DOB": _dob,
    "ACCOUNT": lambda f, r: _bothify(f, r, _ACCOUNT_SHAPES),
    "CASE_ID": lambda f, r: _bothify(f, r, _CASE_SHAPES),
    "DRIVERS_LICENSE": lambda f, r: (
        _uk_licence(f, r) if r.random() < 0.15 else _bothify(f, r, _LICENCE_SHAPES)
    ),
    "PLATE": _plate,
    "IP": _ip,
    "NAME": _name,
}
# Kinds whose values only exist in one country's shape.
_KIND_LOCALES = {"SSN": ("en_US",), "CARD": ("en_US",)}


def generate() -> list[Text]:
    """The whole corpus, both halves, in a fixed order."""
    nyc = _nyc_addresses()
    fakers = {locale: Faker(locale) for locale in LOCALES}
    texts: list[Text] = []
    for base in bases():
        split = split_of(base.id)
        seed = int.from_bytes(hashlib.sha256(f"{SEED}:{base.id}".encode()).digest()[:8], "big")
        rng = random.Random(seed)
        if base.real:
            texts.append(Text(f"{base.id}:real", base.id, split, base.text, list(base.real)))
        for n, kind in enumerate(rng.sample(KINDS, PII_PER_BASE)):
            locale = rng.choice(_KIND_LOCALES.get(kind, LOCALES))
            fake = fakers[locale]
            fake.seed_instance(seed + n)
            source = "faker"
            if kind == "ADDRESS":
                value, source = _address(fake, rng, nyc)
            else:
                value = _MAKERS[kind](fake, rng)
            sentence = rng.choice(CARRIERS[kind]).replace("{v}", value)
            text = _insert(rng, base.text, sentence)
            texts.append(
                Text(f"{base.id}:{kind}", base.id, split, text, [*base.real, Item(kind, value, source)])
            )
        if not base.real:
            decoy = rng.choice(_DECOYS)(rng)
            texts.append(Text(f"{base.id}:decoy", base.id, split, _insert(rng, base.text, decoy)))
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, help="write the corpus as JSON lines here (default: print counts)"
    )
    parser.add_argument("--split", choices=("development", "heldout"), help="only this half")
    args = parser.parse_args(argv)
    texts = [t for t in generate() if args.split is None or t.split == args.split]
    if args.out is None:
        clean = sum(t.clean for t in texts)
        print(f"{len(texts)} texts ({clean} clean, {sum(len(t.items) for t in texts)} personal-data items)")
        return 0
    with args.out.open("w", encoding="utf-8") as handle:
        for t in texts:
            items = [{"kind": i.kind, "value": i.value, "source": i.source} for i in t.items]
            handle.write(json.dumps({"id": t.id, "split": t.split, "text": t.text, "items": items}) + "\n")
    print(f"wrote {len(texts)} texts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
