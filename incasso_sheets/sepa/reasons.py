"""R-transaction reason codes, what they mean for the mandate, and what kind of entry a
camt line is (payout, return or other). Data and pure functions; no I/O.

The table is docs/sepa.md §9.2 (reason codes, with CNOR/DNOR and DU01). Every code has:

* mandate_effect: "alive" (keep collecting), "dead" (stop: set the mandate inactive),
  "blocked" (the account or the debtor blocks collections: stop until the debtor sorts it
  out; treat like dead for the next run), "disputed" (the debtor objected or asked for a
  refund: no automatic collection), "n/a" (the reason is not about the mandate: your
  file, your bank).
* retry: "retry" (re-present, with a new EndToEndId; max_retries limits it: MS03 once),
  "fix" (correct the data first, then collect again), "stop" (no automatic retry;
  contact the debtor).

Where a code could be read two ways, the choice is noted at the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incasso_sheets.formats.camt import Entry

ALIVE, DEAD, BLOCKED, DISPUTED, NOT_APPLICABLE = "alive", "dead", "blocked", "disputed", "n/a"
RETRY, FIX, STOP = "retry", "fix", "stop"
MANDATE_STOPPED = frozenset({DEAD, BLOCKED})  # no collection on the next run

# Issued direct debits in the ISO bank transaction codes (docs/sepa.md §10.2).
BTC_PAYOUT = frozenset({("PMNT", "IDDT", "ESDD"), ("PMNT", "IDDT", "BBDD"), ("PMNT", "IDDT", "PMDD")})
BTC_RETURN = frozenset({("PMNT", "IDDT", "UPDD"), ("PMNT", "IDDT", "PRDD"), ("PMNT", "IDDT", "RCDD")})

PAYOUT, RETURN, OTHER = "payout", "return", "other"
CHARGES = "charges"
# Charges booked on their own that name a collection (MT940 bookings of charges with an
# /EREF/ or /PREF/, formats/mt940.py): ISO sub-family CHRG in the issued direct debits.
BTC_CHARGES = frozenset({("PMNT", "IDDT", "CHRG")})


@dataclass(frozen=True)
class Reason:
    code: str
    meaning_en: str
    meaning_nl: str
    mandate_effect: str
    retry: str
    advice_en: str
    advice_nl: str
    max_retries: int | None = None  # for retry == "retry": automatic re-presentations

    @property
    def known(self) -> bool:
        return self.code in REASONS

    def meaning(self, lang: str = "en") -> str:
        return self.meaning_nl if lang == "nl" else self.meaning_en

    def advice(self, lang: str = "en") -> str:
        return self.advice_nl if lang == "nl" else self.advice_en


def _r(code, meaning_en, meaning_nl, effect, retry, advice_en, advice_nl, max_retries=None):
    return code, Reason(code, meaning_en, meaning_nl, effect, retry, advice_en, advice_nl, max_retries)


REASONS: dict[str, Reason] = dict([
    _r("AC01", "Account identifier (IBAN) incorrect or unknown",
       "Rekeningnummer (IBAN) onjuist of onbekend", ALIVE, FIX,
       "Get the correct IBAN from the debtor (amend the mandate), then collect again.",
       "Vraag de juiste IBAN op bij de debiteur (wijzig de machtiging) en incasseer opnieuw."),
    # AC04: the account is gone (dead), yet a new IBAN may follow as an amendment (docs/sepa.md §3).
    _r("AC04", "Account closed", "Rekening opgeheven", DEAD, FIX,
       "Ask the debtor for the new IBAN and amend the mandate (SMNDA); otherwise stop.",
       "Vraag de debiteur om de nieuwe IBAN en wijzig de machtiging (SMNDA); anders stoppen."),
    # AC06: the account is blocked, not the mandate gone. "blocked" stops collecting too.
    _r("AC06", "Account blocked (for direct debit, by the bank or the debtor)",
       "Rekening geblokkeerd (voor incasso, door de bank of de debiteur)", BLOCKED, STOP,
       "Do not collect again; contact the debtor.",
       "Niet opnieuw incasseren; neem contact op met de debiteur."),
    _r("AC13", "Invalid debtor account type (consumer account under B2B)",
       "Ongeldig rekeningtype (particuliere rekening bij zakelijke incasso)", DEAD, STOP,
       "Switch this debtor to CORE with a new mandate.",
       "Zet deze debiteur over op een standaardincasso (CORE) met een nieuwe machtiging."),
    _r("AG01", "Transaction forbidden on this account (for example a savings account)",
       "Transactie niet toegestaan op deze rekening (bijvoorbeeld een spaarrekening)",
       DEAD, FIX,
       "Ask the debtor for another IBAN.",
       "Vraag de debiteur om een andere IBAN."),
    _r("AG02", "Invalid operation or sequence code (FRST/RCUR/OOFF)",
       "Ongeldige transactie- of volgordecode (FRST/RCUR/OOFF)", ALIVE, FIX,
       "Correct the sequence type or the mandate reference, then collect again.",
       "Corrigeer het volgordetype of het machtigingskenmerk en incasseer opnieuw."),
    _r("AM04", "Insufficient funds", "Onvoldoende saldo", ALIVE, RETRY,
       "Collect again later with a new EndToEndId, or send an invoice.",
       "Incasseer later opnieuw met een nieuwe EndToEndId, of stuur een factuur."),
    _r("AM05", "Duplicate collection", "Dubbele incasso", ALIVE, STOP,
       "Check whether it was collected twice; never retry blindly.",
       "Controleer of er dubbel is geïncasseerd; nooit blind opnieuw incasseren."),
    _r("BE05", "Creditor identifier unknown or changed without an amendment",
       "Incassant-ID onbekend of gewijzigd zonder wijzigingsinformatie", ALIVE, FIX,
       "Correct the creditor identifier (or amend), then collect again.",
       "Corrigeer het incassant-ID (of geef de wijziging door) en incasseer opnieuw."),
    _r("CNOR", "Creditor bank not registered or not reachable for direct debit",
       "Bank van de incassant niet aangesloten of onbereikbaar voor incasso",
       NOT_APPLICABLE, STOP,
       "Your bank cannot process direct debits: contact your bank.",
       "Uw bank kan geen incasso's verwerken: neem contact op met uw bank."),
    # CNOR/DNOR are about banks, not the mandate. DNOR is about the debtor's bank,
    # so this IBAN cannot be collected again: dead. CNOR is about your own bank: n/a.
    _r("DNOR", "Debtor bank not registered or not reachable for direct debit",
       "Bank van de debiteur niet aangesloten of onbereikbaar voor incasso", DEAD, STOP,
       "Use another payment method for this debtor.",
       "Gebruik een andere betaalwijze voor deze debiteur."),
    _r("DU01", "Duplicate message identification (this file was sent before)",
       "Dubbel berichtkenmerk (dit bestand is al eerder aangeleverd)", NOT_APPLICABLE, FIX,
       "Check whether the earlier file was processed; if not, make a new file.",
       "Controleer of het eerdere bestand is verwerkt; zo niet, maak een nieuw bestand."),
    _r("FF01", "Invalid file format", "Ongeldig bestandsformaat", NOT_APPLICABLE, FIX,
       "The file was refused: report it, fix the file and send it again.",
       "Het bestand is geweigerd: meld dit, herstel het bestand en lever het opnieuw aan."),
    _r("MD01", "No valid mandate (not registered, revoked, expired or unauthorised)",
       "Geen geldige machtiging (niet geregistreerd, ingetrokken, verlopen of onterecht)",
       DEAD, STOP,
       "Stop collecting; a new mandate is needed.",
       "Stop met incasseren; er is een nieuwe machtiging nodig."),
    _r("MD02", "Mandatory mandate data missing or incorrect",
       "Verplichte machtigingsgegevens ontbreken of zijn onjuist", ALIVE, FIX,
       "Correct the mandate data (often the signature date or mandate reference), resend.",
       "Corrigeer de machtigingsgegevens (vaak datum of kenmerk) en lever opnieuw aan."),
    _r("MD06", "Refund requested by the debtor", "Terugboeking op verzoek van de debiteur",
       DISPUTED, STOP,
       "Do not collect automatically; contact the debtor or send an invoice.",
       "Niet automatisch opnieuw incasseren; neem contact op of stuur een factuur."),
    _r("MD07", "Debtor deceased", "Debiteur overleden", DEAD, STOP,
       "Stop collecting.", "Stop met incasseren."),
    _r("MS02", "Refused by the debtor (reason not specified)",
       "Geweigerd door de debiteur (reden niet opgegeven)", DISPUTED, STOP,
       "Do not collect automatically; contact the debtor.",
       "Niet automatisch opnieuw incasseren; neem contact op met de debiteur."),
    _r("MS03", "Reason not specified by the bank (may be insufficient funds)",
       "Reden niet opgegeven door de bank (kan onvoldoende saldo zijn)", ALIVE, RETRY,
       "Check contract limits and settings, collect again once; after that, stop.",
       "Controleer limieten en instellingen en incasseer één keer opnieuw; daarna stoppen.",
       max_retries=1),
    _r("RC01", "Bank identifier (BIC) incorrect", "Bankidentificatie (BIC) onjuist", ALIVE, FIX,
       "Correct the BIC or leave it out, then collect again.",
       "Corrigeer de BIC of laat die weg en incasseer opnieuw."),
    _r("RR01", "Missing debtor account or identification (regulatory)",
       "Rekening of identificatie van de debiteur ontbreekt (wettelijk)", ALIVE, FIX,
       "Add the missing debtor data, then collect again.",
       "Vul de ontbrekende gegevens van de debiteur aan en incasseer opnieuw."),
    _r("RR02", "Missing debtor name or address (regulatory)",
       "Naam of adres van de debiteur ontbreekt (wettelijk)", ALIVE, FIX,
       "Add the debtor's address, then collect again.",
       "Vul het adres van de debiteur aan en incasseer opnieuw."),
    _r("RR03", "Missing creditor name or address (regulatory)",
       "Naam of adres van de incassant ontbreekt (wettelijk)", ALIVE, FIX,
       "Correct your creditor data in the settings, then collect again.",
       "Corrigeer de gegevens van de incassant in de instellingen en incasseer opnieuw."),
    _r("RR04", "Regulatory reason (sanctions or anti-money-laundering)",
       "Wettelijke reden (sancties of witwascontrole)", BLOCKED, STOP,
       "Handle manually; do not collect again.",
       "Handmatig afhandelen; niet opnieuw incasseren."),
    _r("SL01", "Specific service of the debtor bank (blocklist, allowlist or amount limit)",
       "Specifieke dienst van de bank van de debiteur (blokkade, witte lijst of limiet)",
       BLOCKED, STOP,
       "Contact the debtor: they have blocked or limited your collections.",
       "Neem contact op met de debiteur: die heeft uw incasso's geblokkeerd of begrensd."),
])


def reason(code: str | None) -> Reason:
    """The entry for a reason code; an unknown or missing code gets a generic entry that
    changes nothing and retries nothing (handle it by hand)."""
    key = (code or "").strip().upper()
    found = REASONS.get(key)
    if found is not None:
        return found
    shown = key or "-"
    return Reason(
        shown, f"Unknown reason code {shown}", f"Onbekende redencode {shown}",
        NOT_APPLICABLE, STOP,
        "Look the code up with your bank and handle it by hand.",
        "Zoek de code op bij uw bank en handel het handmatig af.",
    )


# --- what kind of camt entry ------------------------------------------------------------

_RABO_CODE = re.compile(r"^\d{3}$")  # Rabobank: 100, 541, 586, ... (docs/sepa.md §10.2)
_COLLECTION_WORDS = ("incasso", "direct debit", "lastschrift", "domiciliëring")
_RETURN_WORDS = ("storno", "terugboeking", "retour", "return", "reject", "weigering")


def _is_rabobank(entry: Entry) -> bool:
    """Issuer RABOBANK, or a bare 3-digit code as in older Rabobank exports."""
    issuer = (entry.proprietary_issuer or "").upper()
    return "RABO" in issuer or (not issuer and bool(_RABO_CODE.match(entry.proprietary_code or "")))


def _looks_like_collection(entry: Entry) -> bool:
    if entry.batch is not None:
        return True
    if any(d.mandate_id for d in entry.details):
        return True
    refs = dict(entry.references)
    if refs.keys() & {"PREF", "MARF", "CSID"}:
        return True
    text = f"{refs.get('TRTP', '')} {entry.additional_info or ''}".lower()
    return any(word in text for word in _COLLECTION_WORDS)


def _looks_like_return(entry: Entry) -> bool:
    if entry.reversal or any(d.reason_code for d in entry.details):
        return True
    refs = dict(entry.references)
    if "RTRN" in refs:
        return True
    text = (refs.get("TRTP") or "").lower()
    return any(word in text for word in _RETURN_WORDS)


def classify_entry(entry: Entry) -> str:
    """"payout", "return", "charges" or "other": a candidate for the matcher, never a match.

    1. An ISO domain code decides when there is one (docs/sepa.md §10.2): in the issued
       direct debit family PMNT/IDDT a credit (not a reversal, not a return sub-family) is
       a payout and any debit is a return; any other domain (RDDT: a direct debit *on*
       you; RCDT: a transfer) is other. PMNT/IDDT/CHRG, a debit, is charges.
    2. Without one, proprietary codes cannot be trusted to mean the same thing across
       banks, so the entry's content decides:
       * a credit is a payout when it looks like a collection: a Btch, a mandate id in
         the details, /PREF/, /MARF/ or /CSID/ in the text, or "incasso" in it.
         Rabobank (issuer RABOBANK, or a bare 3-digit code) also: a credit whose details
         carry EndToEndIds. A transfer from a debtor that quotes an EndToEndId becomes a
         candidate too; the matcher drops it when the ids are not ours.
       * a debit is a return only with return evidence (RvslInd, a reason code, /RTRN/,
         or a return word in /TRTP/) and collection evidence or EndToEndIds. Debits with
         EndToEndIds alone are usually your own transfers, so they stay other.
    """
    if entry.domain_code and not entry.domain_code.startswith("XTND"):  # XTND/NTAV: none
        parts = tuple(entry.domain_code.split("/"))
        if parts[:2] != ("PMNT", "IDDT"):
            return OTHER
        if parts in BTC_CHARGES:
            return OTHER if entry.credit else CHARGES
        if entry.credit:
            if entry.reversal or parts in BTC_RETURN:
                return OTHER  # a credit that undoes a return: unusual, leave to a human
            return PAYOUT
        return RETURN
    has_ids = any(d.end_to_end_id for d in entry.details)
    if entry.credit and not entry.reversal:
        if _looks_like_collection(entry):
            return PAYOUT
        if _is_rabobank(entry) and has_ids:
            return PAYOUT
        return OTHER
    if not entry.credit and _looks_like_return(entry):
        if has_ids or _looks_like_collection(entry):
            return RETURN
    return OTHER
