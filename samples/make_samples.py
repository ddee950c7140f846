"""Write the sample files of a fictitious sports club, Sportvereniging De Voorbeeldige.

    .venv/bin/python samples/make_samples.py [FOLDER]

writes, next to this script (or into FOLDER):

  incasso.toml                      the settings (the shipped template, with the club's name)
  debiteuren.xlsx, facturen.xlsx    40 debtors and 120 open invoices that pass 'incasso check'
  fouten/debiteuren.xlsx,           the same with ten mistakes users make, for trying
  fouten/facturen.xlsx              'incasso check ... --report'

Everything is fictitious and fixed: the random choices come from a seeded generator and
the workbooks are written with fixed dates, so running this again gives the same files.
All IBANs pass their checksums (the Dutch ones the old 11-test too); none of them is a
real account as far as anyone knows, and every e-mail address is at example.com.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN

from incasso_sheets.sepa.identifiers import inspect_iban
from incasso_sheets.core.settings import FILENAME as SETTINGS_FILENAME
from incasso_sheets.sheets import template
from incasso_sheets.sheets.columns import DEBTOR_COLUMNS, INVOICE_COLUMNS

HERE = Path(__file__).resolve().parent
CLUB = "Sportvereniging De Voorbeeldige"
SEED = 2026
INVOICE_MONTH = (2026, 11)
PAYMENT_TERM = dt.timedelta(days=14)

NL_BANKS = ("ABNA", "RABO", "INGB", "SNSB", "ASNB", "TRIO", "KNAB")
BE_BANKS = ("001", "063", "735")            # BNP Paribas Fortis, Belfius, KBC
DE_BANKS = ("37040044", "37050198", "39050000")  # Commerzbank Köln, Sparkasse Köln, Aachen

# (name, street, postcode, city, country of the bank account)
PEOPLE = (
    ("Jan de Vries", "Kerkstraat", "3581 RD", "Utrecht", "NL"),
    ("Anna Jansen", "Biltstraat", "3572 AJ", "Utrecht", "NL"),
    ("Pieter Bakker", "Amsterdamsestraatweg", "3513 AB", "Utrecht", "NL"),
    ("Sanne Visser", "Oudegracht", "3511 AZ", "Utrecht", "NL"),
    ("Mohammed El Amrani", "Kanaalweg", "3526 KL", "Utrecht", "NL"),
    ("Lotte van den Berg", "Burgemeester Reigerstraat", "3581 KP", "Utrecht", "NL"),
    ("Daan Smit", "Dorpsstraat", "3732 HJ", "De Bilt", "NL"),
    ("Emma Mulder", "Julianalaan", "3722 GP", "Bilthoven", "NL"),
    ("Sem de Boer", "Hoofdstraat", "3971 KE", "Driebergen", "NL"),
    ("Julia Meijer", "Stationsweg", "3931 EP", "Woudenberg", "NL"),
    ("Lucas de Groot", "Nieuwegracht", "3512 LS", "Utrecht", "NL"),
    ("Zoë Bos", "Lange Nieuwstraat", "3512 PH", "Utrecht", "NL"),
    ("Thijs Vos", "Vleutenseweg", "3532 HM", "Utrecht", "NL"),
    ("Fleur Peters", "Laan van Nieuw-Guinea", "3531 JK", "Utrecht", "NL"),
    ("Ruben Hendriks", "Rijnlaan", "3522 BN", "Utrecht", "NL"),
    ("Noor van Leeuwen", "Wittevrouwensingel", "3581 GC", "Utrecht", "NL"),
    ("Bram Dekker", "Prins Hendriklaan", "3583 EB", "Utrecht", "NL"),
    ("Isa Brouwer", "Koningsweg", "3582 GE", "Utrecht", "NL"),
    ("Finn de Wit", "Weerdsingel", "3513 BB", "Utrecht", "NL"),
    ("Sophie Dijkstra", "Zonstraat", "3581 EJ", "Utrecht", "NL"),
    ("Milan Smits", "Marnixlaan", "3552 HB", "Utrecht", "NL"),
    ("Eva de Graaf", "Columbuslaan", "3526 EP", "Utrecht", "NL"),
    ("Jesse van der Meer", "Dorpsstraat", "3641 AD", "Mijdrecht", "NL"),
    ("Tess van der Linden", "Kerkweg", "3603 CL", "Maarssen", "NL"),
    ("Luuk Kok", "Schoolstraat", "3451 AE", "Vleuten", "NL"),
    ("Femke Jacobs", "Molenweg", "3991 CM", "Houten", "NL"),
    ("Stijn de Haan", "Lindenlaan", "3405 BL", "Benschop", "NL"),
    ("Roos Vermeulen", "Beukenlaan", "3431 HE", "Nieuwegein", "NL"),
    ("Thomas van den Heuvel", "Waterstraat", "3511 BW", "Utrecht", "NL"),
    ("Anouk van der Veen", "Vinkenburgstraat", "3512 AB", "Utrecht", "NL"),
    ("Sven Schouten", "Merelstraat", "3514 CN", "Utrecht", "NL"),
    ("Iris van Beek", "Tolsteegsingel", "3582 AK", "Utrecht", "NL"),
    ("Ayşe Yılmaz", "Kanaalstraat", "3531 CJ", "Utrecht", "NL"),
    ("Kees Hoekstra", "Adriaen van Ostadelaan", "3583 AG", "Utrecht", "NL"),
    ("Hélène Willems", "Meir", "2000", "Antwerpen", "BE"),
    ("Wouter Claes", "Korenmarkt", "9000", "Gent", "BE"),
    ("Jürgen Müller", "Hohe Straße", "50667", "Köln", "DE"),
    ("Katrin Schmidt", "Pontstraße", "52062", "Aachen", "DE"),
)
CAFE = ("Café De Gouden Leeuw", "Voorstraat", "3512 AJ", "Utrecht", "NL")
SPONSOR = ("Bouwbedrijf Van Dijk B.V.", "Industrieweg", "3542 AD", "Utrecht", "NL")
PAYS_BY_TRANSFER = "Kees Hoekstra"
EMAILS = {  # example.com is reserved for examples (RFC 2606): no mail reaches anyone
    "Jan de Vries": "jan.devries@example.com",
    "Sanne Visser": "sanne.visser@example.com",
    "Daan Smit": "d.smit@example.com",
    "Zoë Bos": "zoe.bos@example.com",
    "Bram Dekker": "bramdekker@example.com",
    "Hélène Willems": "helene.willems@example.com",
    "Café De Gouden Leeuw": "info@degoudenleeuw.example.com",
}
WITH_BIC = ("Jürgen Müller", "Katrin Schmidt", "Wouter Claes", "Bouwbedrijf Van Dijk B.V.")
JUNIORS = ("Sem de Boer", "Julia Meijer", "Finn de Wit", "Milan Smits", "Luuk Kok", "Isa Brouwer")

EXTRAS = (  # description, amount
    ("Lesgeld", Decimal("121.00")),
    ("Baanhuur", Decimal("45.00")),
    ("Toernooi inschrijving", Decimal("12.50")),
    ("Clubkleding", Decimal("59.95")),
    ("Kantine", Decimal("17.80")),
    ("Contributie november", Decimal("37.50")),
    ("Trainingskamp", Decimal("185.00")),
)
INVOICE_COUNT = 120


@dataclass(frozen=True)
class Debtor:
    debtor_id: str
    name: str
    iban: str | None
    bic: str | None
    direct_debit: str
    mandate_id: str | None
    mandate_date: dt.date | str | None
    mandate_end_date: dt.date | None
    scheme: str | None
    sequence: str | None
    street: str
    postcode: str
    city: str
    country: str | None
    email: str | None
    last_collection_date: dt.date | None = None  # migrations only: empty in the samples


@dataclass(frozen=True)
class Invoice:
    invoice_number: str
    debtor_id: str
    invoice_date: dt.date | str
    due_date: dt.date
    amount: Decimal | str
    currency: str
    description: str


# --- identifiers ------------------------------------------------------------------------

def passes_eleven_test(account: str) -> bool:
    """The Dutch 11-test that bank account numbers obeyed before the IBAN."""
    return sum(int(d) * w for d, w in zip(account, range(10, 0, -1), strict=True)) % 11 == 0


def make_iban(rng: random.Random, country: str, bank: str) -> str:
    while True:
        if country == "NL":
            account = f"{rng.randrange(10**8, 10**9):010d}"
            if not passes_eleven_test(account):
                continue
        elif country == "BE":
            account = f"{rng.randrange(10**7):07d}"
        else:
            account = f"{rng.randrange(10**8, 10**10):010d}"
        iban = str(IBAN.generate(country, bank_code=bank, account_code=account))
        if inspect_iban(iban)[0] is None:  # German banks have their own account checksums
            return iban


def spaced(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


# --- the club -----------------------------------------------------------------------------

def make_debtors(rng: random.Random) -> list[Debtor]:
    everyone = list(PEOPLE[:33]) + [CAFE, SPONSOR] + list(PEOPLE[33:])
    banks = {"NL": NL_BANKS, "BE": BE_BANKS, "DE": DE_BANKS}
    debtors = []
    for number, (name, street, postcode, city, country) in enumerate(everyone, start=10001):
        debtor_id = str(number)
        iban = make_iban(rng, country, rng.choice(banks[country]))
        signed = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        transfer = name == PAYS_BY_TRANSFER
        debtors.append(Debtor(
            debtor_id=debtor_id,
            name=name,
            iban=None if transfer else iban,
            bic=inspect_iban(iban)[1] if name in WITH_BIC else None,
            direct_debit="nee" if transfer else "ja",
            mandate_id=None if transfer else f"VDV-{debtor_id}",
            mandate_date=None if transfer else signed,
            mandate_end_date=dt.date(2027, 6, 30) if name == "Wouter Claes" else None,
            scheme="B2B" if name == SPONSOR[0] else ("CORE" if number % 3 == 0 else None),
            sequence=None,
            street=f"{street} {rng.randrange(1, 180)}",
            postcode=postcode,
            city=city,
            country=country if country != "NL" else None,
            email=EMAILS.get(name),
        ))
    return debtors


def make_invoices(rng: random.Random, debtors: list[Debtor]) -> list[Invoice]:
    year, month = INVOICE_MONTH
    drafts: list[tuple[dt.date, str, Decimal, str]] = []

    def add(debtor: Debtor, description: str, amount: Decimal) -> None:
        drafts.append((dt.date(year, month, rng.randrange(1, 31)), debtor.debtor_id, amount,
                       description))

    for debtor in debtors:
        if debtor.name == CAFE[0]:
            add(debtor, "Sponsorbord 2027", Decimal("250.00"))
            add(debtor, "Advertentie clubblad", Decimal("75.00"))
        elif debtor.name == SPONSOR[0]:
            add(debtor, "Hoofdsponsor 2027", Decimal("1250.00"))
            add(debtor, "Sponsorbijdrage december", Decimal("1041.67"))
        else:
            fee = Decimal("25.00") if debtor.name in JUNIORS else Decimal("37.50")
            add(debtor, "Contributie december", fee)
    members = [d for d in debtors if d.name not in (CAFE[0], SPONSOR[0])]
    while len(drafts) < INVOICE_COUNT:
        description, amount = rng.choice(EXTRAS)
        add(rng.choice(members), description, amount)
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [
        Invoice(f"{year}-{n:04d}", debtor_id, date, date + PAYMENT_TERM, amount, "EUR", description)
        for n, (date, debtor_id, amount, description) in enumerate(drafts, start=1)
    ]


# --- the mistakes -------------------------------------------------------------------------

def with_debtor_mistakes(debtors: list[Debtor]) -> list[Debtor]:
    """One realistic mistake each (the spaced lower-case IBAN is fine: it is normalised)."""
    out = list(debtors)
    by_id = {d.debtor_id: i for i, d in enumerate(out)}

    def change(debtor_id: str, **fields) -> None:
        out[by_id[debtor_id]] = replace(out[by_id[debtor_id]], **fields)

    iban = out[by_id["10003"]].iban
    wrong_digit = str((int(iban[-1]) + 1) % 10)
    change("10003", iban=spaced(iban[:-1] + wrong_digit))            # iban-invalid
    change("10008", iban=spaced(out[by_id["10008"]].iban).lower())  # fine
    change("10012", mandate_date=dt.date(2062, 5, 12))              # mandate-date-in-future
    change("10016", mandate_id="vdv-10005")                         # mandate-id-duplicate
    change("10020", mandate_id=None)                                # mandate-id-missing
    return out


def with_invoice_mistakes(invoices: list[Invoice], debtors: list[Debtor]) -> list[Invoice]:
    out = list(invoices)
    sponsor = next(d.debtor_id for d in debtors if d.name == SPONSOR[0])

    def first(pick) -> int:
        return next(i for i, v in enumerate(out) if pick(v))

    mistakes = {
        9: {"amount": "12.345"},                                          # amount-ambiguous
        first(lambda v: v.debtor_id == sponsor and v.amount == Decimal("1041.67")):
            {"amount": Decimal("1041.667")},                              # amount-too-many-decimals
        first(lambda v: v.debtor_id == "10014"): {"debtor_id": "10041"},  # debtor-unknown
        50: {"invoice_number": out[49].invoice_number},                   # invoice-number-duplicate
        70: {"invoice_date": "31-02-2026"},                               # date-invalid
        90: {"currency": "USD"},                                          # currency-not-eur (warning)
    }
    if len(mistakes) != 6:
        raise SystemExit("two mistakes fell on the same invoice; pick other rows")
    for i, fields in mistakes.items():
        out[i] = replace(out[i], **fields)
    return out


# --- writing ------------------------------------------------------------------------------

def fill(layout: template.SheetLayout, canonical: list[str], rows: list) -> bytes:
    wb = template.build_workbook(layout)
    ws = wb.active
    for r, record in enumerate(rows, start=2):
        for c, name in enumerate(canonical, start=1):
            value = getattr(record, name)
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = float(value)  # what Excel stores; the reader rounds to 15 digits
            cell = ws.cell(row=r, column=c, value=value)
            if name in template.NUMBER_FORMATS and not isinstance(value, str):
                cell.number_format = template.NUMBER_FORMATS[name]
            elif isinstance(value, str) and template.NUMBER_FORMATS.get(name) == template.TEXT_FORMAT:
                cell.number_format = template.TEXT_FORMAT
    return template.workbook_bytes(wb)


def write_pair(folder: Path, debtors: list[Debtor], invoices: list[Invoice]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    template.write_atomic(folder / template.DEBTORS_FILENAME, fill(
        template.DEBTORS, [c.name for c in DEBTOR_COLUMNS], debtors))
    template.write_atomic(folder / template.INVOICES_FILENAME, fill(
        template.INVOICES, [c.name for c in INVOICE_COLUMNS], invoices))


def sample_settings() -> bytes:
    text = template.settings_template().decode("utf-8")
    for old, new in (('name = "Voorbeeld Sportvereniging"', f'name = "{CLUB}"'),
                     ('bank = "other"', 'bank = "abnamro"')):
        if old not in text:
            raise SystemExit(f"settings template changed: {old!r} not found")
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


def write_samples(folder: Path = HERE) -> None:
    rng = random.Random(SEED)
    debtors = make_debtors(rng)
    invoices = make_invoices(rng, debtors)
    folder.mkdir(parents=True, exist_ok=True)
    template.write_atomic(folder / SETTINGS_FILENAME, sample_settings())
    write_pair(folder, debtors, invoices)
    write_pair(folder / "fouten", with_debtor_mistakes(debtors),
               with_invoice_mistakes(invoices, debtors))
    print(f"{len(debtors)} debtors, {len(invoices)} invoices written to {folder}")


def main() -> None:
    write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)


if __name__ == "__main__":
    main()
