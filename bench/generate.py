"""Generate a realistic debtors sheet and invoices sheet for the benchmarks.

    python bench/generate.py OUTDIR --invoices 1000000 --debtors 100000 \
        [--error-rate 0.01] [--format csv|xlsx] [--seed 1]

writes OUTDIR/debiteuren.csv and OUTDIR/facturen.csv (or .xlsx) with Dutch headers, plus
OUTDIR/manifest.json: the parameters and how many errors and warnings were planted, so a
benchmark can compare what `check` found with what is there.

CSV is what Dutch Excel saves as "CSV UTF-8": `;`, BOM, CRLF, `1234,56`, `dd-mm-jjjj`.
Workbooks hold real numbers and dates (an error is a text cell, as a user would type it).

IBANs are computed, not looked up: ISO 7064 MOD 97-10 check digits for NL (no national
check), BE (national MOD 97 over bank and account) and DE (banks on Bundesbank method 00).
A sample is verified with schwifty. Same arguments and seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

GENERATOR_VERSION = 1

DEBTOR_HEADERS = ("Debiteurnummer", "Naam", "IBAN", "BIC", "Automatische incasso",
                  "Machtigingskenmerk", "Datum machtiging", "Type incasso", "Straat", "Postcode",
                  "Plaats", "Land", "E-mail")
INVOICE_HEADERS = ("Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag",
                   "Valuta", "Omschrijving")

FIRST_DEBTOR_ID = 10001
# (bank code, BIC, weight); NL shares roughly as in Dutch retail banking.
NL_BANKS = (("ABNA", "ABNANL2A", 26), ("RABO", "RABONL2U", 30), ("INGB", "INGBNL2A", 32),
            ("SNSB", "SNSBNL2A", 4), ("ASNB", "ASNBNL21", 3), ("TRIO", "TRIONL2U", 2),
            ("KNAB", "KNABNL2H", 3))
BE_BANKS = (("001", "GEBABEBB"), ("734", "KREDBEBB"), ("363", "BBRUBEBB"), ("068", "GKCCBEBB"))
DE_BANKS = (("20050550", "HASPDEHH"), ("37050198", "COLSDE33"), ("23050101", "NOLADE21SPL"))
COUNTRY_SHARES = (("NL", 94), ("BE", 3), ("DE", 3))

FIRST_NAMES = ("Jan", "Piet", "Kees", "Henk", "Willem", "Johan", "Sander", "Daan", "Bram", "Lucas",
               "Sem", "Thijs", "Ruben", "Mohamed", "Ahmed", "Emma", "Sophie", "Julia", "Anna",
               "Lisa", "Sanne", "Fleur", "Eva", "Lotte", "Noor", "Fatima", "Yasmina", "Ingrid",
               "Marieke", "Els", "Karin", "Monique", "Bas", "Tim", "Tom", "Joost", "Maarten")
ACCENTED_FIRST = ("José", "Zoë", "Chloë", "Anaïs", "Noël", "Renée", "Inês", "Łukasz", "Søren",
                  "Björn", "François", "Hélène", "Begoña", "Dániel")
PREFIXES = ("", "", "", "", "van", "de", "van der", "van den", "van de", "ter", "den")
SURNAMES = ("Jansen", "Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Boer", "Bos",
            "Vos", "Peters", "Hendriks", "Dekker", "Dijk", "Brouwer", "Berg", "Wit", "Graaf",
            "Leeuwen", "Kok", "Jacobs", "Vermeulen", "Hoekstra", "Koster", "Prins", "Huisman",
            "Kuipers", "Veen", "Post", "Wijk", "Bosch", "Maas", "Schouten", "Willems", "Sluis")
ACCENTED_SURNAMES = ("Yılmaz", "Öztürk", "Şahin", "Çelik", "Müller", "Gonçalves", "Nováková",
                     "Lefèvre", "Kowalczyk-Wiśniewska", "Ødegård")
COMPANY_FORMS = ("B.V.", "V.O.F.", "Holding B.V.", "& Zn. B.V.")
COMPANY_TRADES = ("Bakkerij", "Installatiebedrijf", "Transport", "Bouwbedrijf", "Kapsalon",
                  "Adviesbureau", "Hoveniersbedrijf", "Garage")
STREETS = ("Dorpsstraat", "Kerkstraat", "Hoofdstraat", "Molenweg", "Schoolstraat", "Stationsweg",
           "Julianalaan", "Beatrixstraat", "Wilhelminapark", "Nieuwe Gracht", "Lindelaan",
           "Prinses Irenestraat", "Burgemeester de Withstraat")
CITIES = {"NL": ("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen",
                 "'s-Hertogenbosch", "Zwolle", "Leeuwarden", "Maastricht", "Apeldoorn", "Ede"),
          "BE": ("Antwerpen", "Gent", "Brugge", "Leuven", "Hasselt"),
          "DE": ("Hamburg", "Köln", "Lübeck", "Bonn")}
# (template, weight); {n} is the invoice number. Crèche: the few that need transliteration.
DESCRIPTIONS = (("Contributie december 2026", 30), ("Abonnement december 2026", 20),
                ("Factuur {n}", 25), ("Lesgeld december 2026", 10), ("Huur december 2026", 10),
                ("Termijn 3 van 4 seizoen 2026-2027", 4.5), ("Bijdrage crèche december 2026", 0.5))
COMMON_PRICES = (1250, 1500, 2000, 2500, 2995, 3500, 4250, 4995, 7500, 12100, 15000, 24200)

DEBTOR_ERRORS = ("iban-checksum", "mandate-date-impossible")
INVOICE_ERRORS = ("amount-ambiguous", "debtor-unknown", "invoice-number-duplicate",
                  "date-impossible")
IMPOSSIBLE_MANDATE_DATES = ("31-02-2024", "30-02-2023", "31-04-2025", "31-09-2022", "00-05-2024")
IMPOSSIBLE_INVOICE_DATES = ("31-11-2026", "31-06-2026", "29-02-2026", "32-12-2026")

_TO_DIGITS = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})


# --- identifiers --------------------------------------------------------------------------

def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 / ISO 7064 MOD 97-10 check digits of an IBAN."""
    number = int((bban + country + "00").translate(_TO_DIGITS))
    return f"{98 - number % 97:02d}"


def make_iban(country: str, bban: str) -> str:
    return country + iban_check_digits(country, bban) + bban


def nl_bban(bank: str, rng: random.Random) -> str:
    return f"{bank}{rng.randrange(10**10):010d}"


def be_bban(bank: str, rng: random.Random) -> str:
    """Belgian BBAN: bank (3) + account (7) + MOD 97 of those 10 digits (0 -> 97)."""
    first = f"{bank}{rng.randrange(10**7):07d}"
    return f"{first}{int(first) % 97 or 97:02d}"


def de_bban(bank: str, rng: random.Random) -> str:
    """German BBAN: Bankleitzahl (8) + account (10), check digit by Bundesbank method 00
    (weights 2,1,2,.. from the right over digits 1-9, digit sums, 10 - sum mod 10)."""
    body = f"{rng.randrange(10**9):09d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{bank}{body}{(10 - total % 10) % 10}"


def verify_ibans(ibans: list[str], sample: int, rng: random.Random) -> None:
    """Check a sample with schwifty (checksum, format and national check digits)."""
    from schwifty import IBAN

    by_country: dict[str, list[str]] = {}
    for iban in ibans:
        by_country.setdefault(iban[:2], []).append(iban)
    for values in by_country.values():
        for iban in rng.sample(values, min(sample, len(values))):
            IBAN(iban, validate_bban=True)  # raises on any mistake in this generator


# --- debtors ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Debtor:
    debtor_id: int
    name: str
    iban: str
    bic: str | None
    direct_debit: bool
    mandate_id: str | None
    mandate_date: dt.date | None
    scheme: str
    street: str
    postcode: str
    city: str
    country: str
    email: str | None
    needs_transliteration: bool


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def make_debtors(count: int, rng: random.Random) -> list[Debtor]:
    countries = rng.choices([c for c, _ in COUNTRY_SHARES], [w for _, w in COUNTRY_SHARES], k=count)
    nl_weights = [w for *_, w in NL_BANKS]
    first_mandate = dt.date(2022, 1, 1).toordinal()
    mandate_days = dt.date(2025, 12, 31).toordinal() - first_mandate + 1
    debtors = []
    for i, country in enumerate(countries):
        debtor_id = FIRST_DEBTOR_ID + i
        if country == "NL":
            bank, bic, _ = rng.choices(NL_BANKS, nl_weights)[0]
            iban = make_iban("NL", nl_bban(bank, rng))
        elif country == "BE":
            bank, bic = rng.choice(BE_BANKS)
            iban = make_iban("BE", be_bban(bank, rng))
        else:
            bank, bic = rng.choice(DE_BANKS)
            iban = make_iban("DE", de_bban(bank, rng))
        b2b = rng.random() < 0.02
        accented = rng.random() < 0.04
        if b2b:
            trade = rng.choice(COMPANY_TRADES)
            surname = rng.choice(SURNAMES)
            name = f"{trade} {surname} {rng.choice(COMPANY_FORMS)}"
            mail_user, mail_domain = "administratie", f"{_ascii(trade + surname)}.nl"
        else:
            first = rng.choice(ACCENTED_FIRST) if accented and rng.random() < 0.6 else rng.choice(FIRST_NAMES)
            if accented and first in FIRST_NAMES:
                surname, prefix = rng.choice(ACCENTED_SURNAMES), ""
            else:
                surname, prefix = rng.choice(SURNAMES), rng.choice(PREFIXES)
            name = " ".join(p for p in (first, prefix, surname) if p)
            mail_user = f"{_ascii(first)}.{_ascii(prefix + surname).replace(' ', '')}{debtor_id % 1000}"
            mail_domain = rng.choice(("gmail.com", "hotmail.com", "ziggo.nl", "kpnmail.nl", "outlook.com"))
        direct_debit = rng.random() >= 0.03
        if direct_debit:
            mandate_id = f"MDT-{debtor_id}-{rng.randrange(1, 4):02d}"
            mandate_date = dt.date.fromordinal(first_mandate + rng.randrange(mandate_days))
        else:
            mandate_id = mandate_date = None
        debtors.append(Debtor(
            debtor_id=debtor_id, name=name, iban=iban,
            bic=bic[:8] + bic[8:].replace("XXX", "") if rng.random() < 0.5 else None,
            direct_debit=direct_debit, mandate_id=mandate_id, mandate_date=mandate_date,
            scheme="B2B" if b2b else "CORE",
            street=f"{rng.choice(STREETS)} {rng.randrange(1, 250)}{rng.choice(('', '', '', 'a', 'b', '-2'))}",
            postcode=(f"{rng.randrange(1000, 10000)} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
                      f"{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}" if country == "NL"
                      else f"{rng.randrange(1000, 10000)}" if country == "BE"
                      else f"{rng.randrange(10000, 100000)}"),
            city=rng.choice(CITIES[country]),
            country=country,
            email=None if rng.random() < 0.1 else f"{mail_user}@{mail_domain}",
            needs_transliteration=any(ord(ch) > 127 or ch == "&" for ch in name),
        ))
    return debtors


# --- invoices -----------------------------------------------------------------------------

def make_invoices(count: int, debtor_ids: list[int], rng: random.Random) -> pl.DataFrame:
    """Typed invoice columns: number, debtor_id, invoice_date, due_date, cents, description."""
    width = max(6, len(str(count)))
    amounts = [
        rng.choice(COMMON_PRICES) if r < 0.6 else min(int(rng.lognormvariate(4.2, 1.1) * 100) + 1,
                                                      9_999_999)
        for r in (rng.random() for _ in range(count))
    ]
    templates = rng.choices([t for t, _ in DESCRIPTIONS], [w for _, w in DESCRIPTIONS], k=count)
    frame = pl.DataFrame({
        "n": pl.int_range(1, count + 1, eager=True),
        "debtor_id": rng.choices(debtor_ids, k=count),
        "invoice_offset": rng.choices(range(27), k=count),
        "due_offset": rng.choices(range(31), k=count),
        "cents": amounts,
        "template": templates,
    }, schema_overrides={"debtor_id": pl.Int64, "cents": pl.Int64})
    number = pl.format("2026-{}", pl.col("n").cast(pl.Utf8).str.zfill(width))
    return frame.select(
        number.alias("invoice_number"),
        pl.col("debtor_id"),
        (pl.lit(dt.date(2026, 11, 1)) + pl.duration(days=pl.col("invoice_offset"))).alias("invoice_date"),
        (pl.lit(dt.date(2026, 12, 1)) + pl.duration(days=pl.col("due_offset"))).alias("due_date"),
        pl.col("cents"),
        pl.col("template").str.replace("{n}", number, literal=True).alias("description"),
    )


# --- errors -------------------------------------------------------------------------------

def _break_iban(iban: str, rng: random.Random) -> str:
    """One digit of the account changed: MOD 97-10 catches every single substitution."""
    pos = len(iban) - 1 - rng.randrange(7)
    digit = (int(iban[pos]) + rng.randrange(1, 10)) % 10
    return iban[:pos] + str(digit) + iban[pos + 1:]


def plant_debtor_errors(debtors: list[Debtor], rate: float, rng: random.Random
                        ) -> tuple[dict[int, dict[str, object]], dict[str, int]]:
    """Overrides {row index: {column: text}} and the count per kind of planted error."""
    candidates = [i for i, d in enumerate(debtors) if d.direct_debit]
    chosen = rng.sample(candidates, min(len(candidates), round(rate * len(debtors))))
    overrides: dict[int, dict[str, object]] = {}
    counts = dict.fromkeys(DEBTOR_ERRORS, 0)
    for i in sorted(chosen):
        kind = rng.choice(DEBTOR_ERRORS)
        if kind == "iban-checksum":
            overrides[i] = {"IBAN": _break_iban(debtors[i].iban, rng)}
        else:
            overrides[i] = {"Datum machtiging": rng.choice(IMPOSSIBLE_MANDATE_DATES)}
        counts[kind] += 1
    return overrides, counts


def plant_invoice_errors(invoices: pl.DataFrame, debtor_count: int, rate: float,
                         rng: random.Random) -> tuple[dict[int, dict[str, object]], dict[str, int]]:
    count = invoices.height
    chosen = rng.sample(range(count), min(count, round(rate * count)))
    taken = set(chosen)
    numbers = invoices["invoice_number"]
    overrides: dict[int, dict[str, object]] = {}
    counts = dict.fromkeys(INVOICE_ERRORS, 0)
    for i in sorted(chosen):
        kind = rng.choice(INVOICE_ERRORS)
        if kind == "amount-ambiguous":
            overrides[i] = {"Bedrag": f"{rng.randrange(1, 100)}.{rng.randrange(1000):03d}"}
        elif kind == "debtor-unknown":
            overrides[i] = {"Debiteurnummer": FIRST_DEBTOR_ID + debtor_count + rng.randrange(1, 5000)}
        elif kind == "invoice-number-duplicate":
            source = rng.randrange(count)
            while source in taken:  # the copied number must stay where it was
                source = rng.randrange(count)
            overrides[i] = {"Factuurnummer": numbers[source]}
        else:
            column = rng.choice(("Factuurdatum", "Vervaldatum"))
            overrides[i] = {column: rng.choice(IMPOSSIBLE_INVOICE_DATES)}
        counts[kind] += 1
    return overrides, counts


def _apply(frame: pl.DataFrame, overrides: dict[int, dict[str, object]]) -> pl.DataFrame:
    """Put the planted text into a frame of text columns."""
    by_column: dict[str, tuple[list[int], list[str]]] = {}
    for row, cells in overrides.items():
        for column, value in cells.items():
            rows, values = by_column.setdefault(column, ([], []))
            rows.append(row)
            values.append(str(value))
    return frame.with_columns(
        frame[column].scatter(rows, values) for column, (rows, values) in by_column.items()
    )


# --- writers ------------------------------------------------------------------------------

def debtor_rows(debtors: list[Debtor], *, dates_as_text: bool) -> dict[str, list]:
    def date_of(d: dt.date | None):
        return None if d is None else d.strftime("%d-%m-%Y") if dates_as_text else d

    return {
        "Debiteurnummer": [d.debtor_id for d in debtors],
        "Naam": [d.name for d in debtors],
        "IBAN": [d.iban for d in debtors],
        "BIC": [d.bic for d in debtors],
        "Automatische incasso": ["ja" if d.direct_debit else "nee" for d in debtors],
        "Machtigingskenmerk": [d.mandate_id for d in debtors],
        "Datum machtiging": [date_of(d.mandate_date) for d in debtors],
        "Type incasso": [d.scheme for d in debtors],
        "Straat": [d.street for d in debtors],
        "Postcode": [d.postcode for d in debtors],
        "Plaats": [d.city for d in debtors],
        "Land": [d.country for d in debtors],
        "E-mail": [d.email for d in debtors],
    }


def invoice_text(invoices: pl.DataFrame) -> pl.DataFrame:
    cents = pl.col("cents")
    return invoices.select(
        pl.col("invoice_number").alias("Factuurnummer"),
        pl.col("debtor_id").cast(pl.Utf8).alias("Debiteurnummer"),
        pl.col("invoice_date").dt.strftime("%d-%m-%Y").alias("Factuurdatum"),
        pl.col("due_date").dt.strftime("%d-%m-%Y").alias("Vervaldatum"),
        pl.concat_str([(cents // 100).cast(pl.Utf8), pl.lit(","),
                       (cents % 100).cast(pl.Utf8).str.zfill(2)]).alias("Bedrag"),
        pl.lit("EUR").alias("Valuta"),
        pl.col("description").alias("Omschrijving"),
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    frame.write_csv(path, separator=";", include_bom=True, line_terminator="\r\n",
                    quote_style="necessary")


def write_xlsx(columns: dict[str, list], sheet: str, path: Path,
               overrides: dict[int, dict[str, object]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    headers = list(columns)
    worksheet.append(headers)
    positions = {h: i for i, h in enumerate(headers)}
    for i, row in enumerate(zip(*columns.values(), strict=True)):
        cells = overrides.get(i)
        if cells:
            row = list(row)
            for column, value in cells.items():
                row[positions[column]] = value
        worksheet.append(row)
    workbook.save(path)


def invoice_xlsx_columns(invoices: pl.DataFrame) -> dict[str, list]:
    # Amounts as Excel holds them: binary floats (12.1, not Decimal).
    return {
        "Factuurnummer": invoices["invoice_number"].to_list(),
        "Debiteurnummer": invoices["debtor_id"].to_list(),
        "Factuurdatum": invoices["invoice_date"].to_list(),
        "Vervaldatum": invoices["due_date"].to_list(),
        "Bedrag": [c / 100 for c in invoices["cents"].to_list()],
        "Valuta": ["EUR"] * invoices.height,
        "Omschrijving": invoices["description"].to_list(),
    }


# --- main ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Params:
    invoices: int
    debtors: int
    error_rate: float = 0.0
    format: str = "csv"
    seed: int = 1
    version: int = GENERATOR_VERSION

    def paths(self, outdir: Path) -> tuple[Path, Path]:
        return outdir / f"debiteuren.{self.format}", outdir / f"facturen.{self.format}"


def generate(outdir: Path, params: Params, verify_sample: int = 200) -> dict:
    """Write both sheets and manifest.json into `outdir`; return the manifest."""
    start = time.perf_counter()
    rng = random.Random(params.seed)
    outdir.mkdir(parents=True, exist_ok=True)
    debtors = make_debtors(params.debtors, rng)
    verify_ibans([d.iban for d in debtors], verify_sample, random.Random(params.seed))
    invoices = make_invoices(params.invoices, [d.debtor_id for d in debtors], rng)
    debtor_overrides, debtor_errors = plant_debtor_errors(debtors, params.error_rate, rng)
    invoice_overrides, invoice_errors = plant_invoice_errors(
        invoices, params.debtors, params.error_rate, rng)
    debtors_path, invoices_path = params.paths(outdir)
    if params.format == "csv":
        text = pl.DataFrame(debtor_rows(debtors, dates_as_text=True)).with_columns(
            pl.col("Debiteurnummer").cast(pl.Utf8))
        write_csv(_apply(text, debtor_overrides), debtors_path)
        write_csv(_apply(invoice_text(invoices), invoice_overrides), invoices_path)
    else:
        write_xlsx(debtor_rows(debtors, dates_as_text=False), "Debiteuren", debtors_path,
                   debtor_overrides)
        write_xlsx(invoice_xlsx_columns(invoices), "Facturen", invoices_path, invoice_overrides)
    descriptions = invoices["description"].str.contains("è").sum()
    manifest = {
        "params": asdict(params),
        "files": {"debtors": debtors_path.name, "invoices": invoices_path.name},
        "planted_errors": {"debtors": debtor_errors, "invoices": invoice_errors,
                           "total": sum(debtor_errors.values()) + sum(invoice_errors.values())},
        "expected_warnings": {"name-transliterated": sum(d.needs_transliteration for d in debtors),
                              "description-transliterated": int(descriptions)},
        "seconds": round(time.perf_counter() - start, 2),
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--debtors", type=int, required=True)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.debtors < 1 or args.invoices < 0 or not 0 <= args.error_rate <= 1:
        parser.error("need --debtors >= 1, --invoices >= 0 and 0 <= --error-rate <= 1")
    params = Params(args.invoices, args.debtors, args.error_rate, args.format, args.seed)
    manifest = generate(args.outdir, params)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
