"""The message catalogue: every text a user reads, in English and Dutch, keyed by code.

Codes are stable kebab-case slugs; tests and scripts match on them, users search for them.
Templates use `{name}` parameters; a parameter that is not given stays visible as `{name}`.
"""

from __future__ import annotations

LANGUAGES = ("en", "nl")

# code: (English, Dutch)
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- reading files -----------------------------------------------------------------
    "file-not-found": ("File not found: {path}", "Bestand niet gevonden: {path}"),
    "file-unreadable": ("Cannot read {path}: {reason}", "Kan {path} niet lezen: {reason}"),
    "file-type-unknown": (
        "Cannot read {path}: use an .xlsx or .csv file",
        "Kan {path} niet lezen: gebruik een .xlsx- of .csv-bestand",
    ),
    "sheet-not-found": (
        "Sheet '{sheet}' not found in {path}; it has: {available}",
        "Werkblad '{sheet}' niet gevonden in {path}; aanwezig: {available}",
    ),
    "sheet-empty": ("The sheet has no header row", "Het werkblad heeft geen kopregel"),
    "file-exists": (
        "Nothing written; already there: {path} (use --force to overwrite)",
        "Niets geschreven; bestaat al: {path} (gebruik --force om te overschrijven)",
    ),
    # --- columns -------------------------------------------------------------------------
    "column-missing": (
        "Required column '{name}' is missing (accepted headers: {aliases})",
        "Verplichte kolom '{name}' ontbreekt (toegestane kopjes: {aliases})",
    ),
    "column-unknown": (
        "Unknown column '{header}' is ignored; did you mean '{suggestion}'?",
        "Onbekende kolom '{header}' wordt genegeerd; bedoelde u '{suggestion}'?",
    ),
    "column-unknown-no-suggestion": (
        "Unknown column '{header}' is ignored",
        "Onbekende kolom '{header}' wordt genegeerd",
    ),
    "column-duplicate": (
        "Column '{header}' means the same as column '{other}'; keep one of them",
        "Kolom '{header}' betekent hetzelfde als kolom '{other}'; houd er één over",
    ),
    # --- debtors ---------------------------------------------------------------------------
    "debtor-id-missing": ("Debtor number is empty", "Debiteurnummer is leeg"),
    "debtor-id-duplicate": (
        "Debtor number also appears on row {other_row}",
        "Debiteurnummer komt ook voor op regel {other_row}",
    ),
    "name-missing": ("Name is empty", "Naam is leeg"),
    "name-transliterated": (
        "Name contains characters outside the SEPA set; sent as '{after}'",
        "Naam bevat tekens buiten de SEPA-tekenset; wordt verstuurd als '{after}'",
    ),
    "name-too-long": (
        "Name is {length} characters after transliteration; SEPA allows 70",
        "Naam is {length} tekens na omzetting; SEPA staat er 70 toe",
    ),
    "direct-debit-invalid": (
        "Direct debit must be ja/nee, yes/no, true/false, 1/0 or x/empty",
        "Automatische incasso moet ja/nee, yes/no, true/false, 1/0 of x/leeg zijn",
    ),
    "iban-missing": (
        "IBAN is empty while direct debit is on",
        "IBAN is leeg terwijl automatische incasso aan staat",
    ),
    "iban-invalid": ("IBAN is not valid: {reason}", "IBAN is ongeldig: {reason}"),
    "iban-not-sepa": (
        "IBAN country {country} is not in the SEPA zone; it cannot be collected",
        "IBAN-land {country} hoort niet bij SEPA; hier kan niet van geïncasseerd worden",
    ),
    "bic-invalid": (
        "BIC is not valid: {reason}",
        "BIC is ongeldig: {reason}",
    ),
    "bic-iban-mismatch": (
        "BIC does not belong to the bank of the IBAN (expected {expected}); correct it or leave it empty",
        "BIC hoort niet bij de bank van de IBAN (verwacht {expected}); corrigeer of maak leeg",
    ),
    "mandate-id-missing": (
        "Mandate reference is empty while direct debit is on",
        "Machtigingskenmerk is leeg terwijl automatische incasso aan staat",
    ),
    "mandate-id-too-long": (
        "Mandate reference is {length} characters; SEPA allows 35",
        "Machtigingskenmerk is {length} tekens; SEPA staat er 35 toe",
    ),
    "mandate-id-invalid": (
        "Mandate reference may only hold A-Z a-z 0-9 / - ? : ( ) . , ' + without spaces, "
        "and may not start or end with '/' or contain '//'",
        "Machtigingskenmerk mag alleen A-Z a-z 0-9 / - ? : ( ) . , ' + bevatten, zonder spaties, "
        "en niet beginnen of eindigen met '/' of '//' bevatten",
    ),
    "mandate-id-duplicate": (
        "Mandate reference is also used on row {other_row} (references are not case-sensitive)",
        "Machtigingskenmerk wordt ook gebruikt op regel {other_row} (hoofdletters tellen niet)",
    ),
    "mandate-date-missing": (
        "Mandate date is empty while direct debit is on",
        "Datum machtiging is leeg terwijl automatische incasso aan staat",
    ),
    "mandate-date-in-future": (
        "Mandate date lies in the future (today is {today})",
        "Datum machtiging ligt in de toekomst (vandaag is {today})",
    ),
    "mandate-end-before-start": (
        "Mandate end date is before the mandate date",
        "Einddatum machtiging ligt voor de datum machtiging",
    ),
    "scheme-invalid": (
        "Scheme must be CORE or B2B (Standaard or Zakelijk)",
        "Type incasso moet CORE of B2B zijn (Standaard of Zakelijk)",
    ),
    "sequence-invalid": (
        "Sequence type must be empty, FRST, RCUR, OOFF or FNAL",
        "Volgordetype moet leeg, FRST, RCUR, OOFF of FNAL zijn",
    ),
    "country-invalid": (
        "Country must be a two-letter ISO code such as NL, BE or DE",
        "Land moet een ISO-code van twee letters zijn, zoals NL, BE of DE",
    ),
    "address-missing": (
        "The IBAN is outside the EEA ({country}): street or town and country are required",
        "De IBAN ligt buiten de EER ({country}): plaats en land zijn verplicht",
    ),
    "email-invalid": ("E-mail address looks wrong", "E-mailadres lijkt niet te kloppen"),
    "date-invalid": (
        "Not a valid date; write dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd",
        "Geen geldige datum; schrijf dd-mm-jjjj, dd/mm/jjjj of jjjj-mm-dd",
    ),
    # --- invoices ------------------------------------------------------------------------
    "invoice-number-missing": ("Invoice number is empty", "Factuurnummer is leeg"),
    "invoice-number-duplicate": (
        "Invoice number also appears on row {other_row}",
        "Factuurnummer komt ook voor op regel {other_row}",
    ),
    "invoice-number-too-long": (
        "Invoice number is {length} characters; at most {limit} fit in the EndToEndId",
        "Factuurnummer is {length} tekens; er passen er hoogstens {limit} in de EndToEndId",
    ),
    "invoice-number-invalid": (
        "Invoice number may only hold A-Z a-z 0-9 / - ? : ( ) . , ' + (it becomes the EndToEndId), "
        "and may not start or end with '/' or contain '//'",
        "Factuurnummer mag alleen A-Z a-z 0-9 / - ? : ( ) . , ' + bevatten (het wordt de EndToEndId), "
        "en niet beginnen of eindigen met '/' of '//' bevatten",
    ),
    "debtor-unknown": (
        "Debtor number is not in the debtors sheet",
        "Debiteurnummer staat niet in het debiteurenbestand",
    ),
    "invoice-date-missing": ("Invoice date is empty", "Factuurdatum is leeg"),
    "due-date-missing": ("Due date is empty", "Vervaldatum is leeg"),
    "amount-missing": ("Amount is empty", "Bedrag is leeg"),
    "amount-invalid": (
        "Not an amount; write it like 1234,56 or 1.234,56 or 1234.56",
        "Geen bedrag; schrijf het als 1234,56 of 1.234,56 of 1234.56",
    ),
    "amount-ambiguous": (
        "Amount is ambiguous: thousands or decimals? Write 12345,00 or 12,35",
        "Bedrag is dubbelzinnig: duizendtallen of decimalen? Schrijf 12345,00 of 12,35",
    ),
    "amount-too-many-decimals": (
        "Amount has more than 2 decimals",
        "Bedrag heeft meer dan 2 decimalen",
    ),
    "amount-not-positive": (
        "Amount is zero or negative; the invoice is not collected",
        "Bedrag is nul of negatief; de factuur wordt niet geïncasseerd",
    ),
    "amount-too-large": (
        "Amount is above the SEPA maximum of 999999999,99",
        "Bedrag is hoger dan het SEPA-maximum van 999999999,99",
    ),
    "currency-not-eur": (
        "Currency {currency} is not EUR; the invoice is skipped",
        "Valuta {currency} is geen EUR; de factuur wordt overgeslagen",
    ),
    "description-transliterated": (
        "Description contains characters outside the SEPA set; sent as '{after}'",
        "Omschrijving bevat tekens buiten de SEPA-tekenset; wordt verstuurd als '{after}'",
    ),
    "amount-not-cents": (
        "Amount {value} has digits beyond the cents",
        "Bedrag {value} heeft cijfers achter de centen",
    ),
    # --- ledger --------------------------------------------------------------------------
    "ledger-not-found": ("No ledger at {path}", "Geen grootboek (ledger) op {path}"),
    "ledger-unreadable": ("Cannot use the ledger {path}: {reason}", "Kan het ledger {path} niet gebruiken: {reason}"),
    "ledger-too-new": (
        "The ledger {path} was written by a newer incasso-sheets (schema {version}, this one knows {supported}); upgrade first",
        "Het ledger {path} is geschreven door een nieuwere incasso-sheets (schema {version}, deze kent {supported}); werk eerst bij",
    ),
    "ledger-busy": (
        "Another run is in progress on {path}; try again when it has finished",
        "Er loopt al een andere opdracht op {path}; probeer het opnieuw als die klaar is",
    ),
    # --- collect -------------------------------------------------------------------------
    "settings-invalid": (
        "The settings file has {count} problems (listed above)",
        "Het instellingenbestand heeft {count} problemen (zie hierboven)",
    ),
    "remittance-template-invalid": (
        "collection.remittance uses unknown fields: {fields}",
        "collection.remittance gebruikt onbekende velden: {fields}",
    ),
    "collection-date-too-early": (
        "Collection date {date} is too early: the earliest possible date is {earliest}",
        "Incassodatum {date} is te vroeg: de vroegst mogelijke datum is {earliest}",
    ),
    "output-exists": (
        "{path} already exists; choose another output folder",
        "{path} bestaat al; kies een andere uitvoermap",
    ),
    "xsd-invalid": (
        "The generated {path} does not validate against the official XSD: {problems}",
        "Het gemaakte {path} voldoet niet aan de officiële XSD: {problems}",
    ),
    "journal-unbalanced": (
        "Journal entries do not balance: {entries}",
        "Journaalposten zijn niet in evenwicht: {entries}",
    ),
    "invoice-invalid-skipped": (
        "Invoice has errors and is not collected",
        "Factuur bevat fouten en wordt niet geïncasseerd",
    ),
    "debtor-invalid-skipped": (
        "The debtor of this invoice has errors; the invoice is not collected",
        "De debiteur van deze factuur bevat fouten; de factuur wordt niet geïncasseerd",
    ),
    "invoice-already-collected": (
        "Already collected in batch {detail}",
        "Al geïncasseerd in batch {detail}",
    ),
    "debtor-direct-debit-off": (
        "Direct debit is off for this debtor",
        "Automatische incasso staat uit voor deze debiteur",
    ),
    "scheme-not-selected": (
        "Not collected in this run (another scheme was chosen with --scheme)",
        "Niet in deze run (met --scheme is een ander type incasso gekozen)",
    ),
    "invoice-not-due": (
        "Due after the --until date; not collected yet",
        "Vervalt na de --until-datum; nog niet geïncasseerd",
    ),
    "mandate-inactive": (
        "The mandate is {detail}: not collected until the debtor gives a new mandate",
        "De machtiging is {detail}: geen incasso tot de debiteur een nieuwe machtiging geeft",
    ),
    "mandate-used-up": (
        "The one-off (OOFF) or final (FNAL) mandate has been used; it cannot be collected again",
        "De eenmalige (OOFF) of laatste (FNAL) machtiging is gebruikt; er kan niet opnieuw mee geïncasseerd worden",
    ),
    "mandate-ended": (
        "The mandate ended on {detail}, before the collection date",
        "De machtiging is op {detail} geëindigd, voor de incassodatum",
    ),
    "mandate-expired": (
        "The mandate was last used on {detail}: unused for 36 months, it has expired; a new mandate is needed",
        "De machtiging is voor het laatst gebruikt op {detail}: 36 maanden ongebruikt, dus verlopen; een nieuwe machtiging is nodig",
    ),
    "remittance-shortened": (
        "Remittance text shortened to 140 characters: '{after}'",
        "Omschrijving ingekort tot 140 tekens: '{after}'",
    ),
    "sequence-frst-after-use": (
        "Mandate {mandate} has been collected before: sent as RCUR instead of FRST",
        "Machtiging {mandate} is al eerder gebruikt: verstuurd als RCUR in plaats van FRST",
    ),
    "collection-date-beyond-horizon": (
        "Collection date {date} is more than {days} days ahead; the bank may refuse it",
        "Incassodatum {date} ligt meer dan {days} dagen vooruit; de bank kan dit weigeren",
    ),
    "prenotification-short": (
        "Collection date {date} is less than {days} days after the invoice date: check the debtor was notified in time",
        "Incassodatum {date} ligt minder dan {days} dagen na de factuurdatum: controleer of de debiteur op tijd is geïnformeerd",
    ),
    # --- settings ------------------------------------------------------------------------
    "settings-not-found": (
        "No incasso.toml in {folder}; run 'incasso init' or pass --config",
        "Geen incasso.toml in {folder}; voer 'incasso init' uit of geef --config op",
    ),
    "settings-unreadable": (
        "Cannot read the settings file: {reason}",
        "Kan het instellingenbestand niet lezen: {reason}",
    ),
    "settings-key-missing": ("Setting is missing", "Instelling ontbreekt"),
    "settings-key-unknown": (
        "Unknown setting; did you mean '{suggestion}'?",
        "Onbekende instelling; bedoelde u '{suggestion}'?",
    ),
    "settings-key-unknown-no-suggestion": (
        "Unknown setting (the settings file written by 'incasso init' lists every key)",
        "Onbekende instelling (het bestand van 'incasso init' noemt alle sleutels)",
    ),
    "settings-wrong-type": (
        "Setting must be {expected}",
        "Instelling moet {expected} zijn",
    ),
    "settings-value-invalid": (
        "Setting must be one of: {allowed}",
        "Instelling moet een van deze zijn: {allowed}",
    ),
    "creditor-iban-invalid": ("Creditor IBAN is not valid: {reason}", "IBAN van de incassant is ongeldig: {reason}"),
    "creditor-bic-invalid": ("Creditor BIC is not valid: {reason}", "BIC van de incassant is ongeldig: {reason}"),
    "creditor-id-invalid": (
        "Creditor identifier is not valid: {reason}",
        "Incassant-ID is ongeldig: {reason}",
    ),
    "creditor-name-invalid": (
        "Creditor name must be 1 to 70 characters of the SEPA set",
        "Naam van de incassant moet 1 tot 70 tekens uit de SEPA-tekenset zijn",
    ),
    # --- terminal words ------------------------------------------------------------------
    "summary-ok": ("No problems found in {rows} rows.", "Geen problemen gevonden in {rows} regels."),
    "summary-counts": (
        "{errors} errors, {warnings} warnings in {rows} rows.",
        "{errors} fouten, {warnings} waarschuwingen in {rows} regels.",
    ),
    "file-written": ("Written: {path}", "Geschreven: {path}"),
    "collect-stopped": (
        "Nothing written: fix the {errors} errors above, or use --skip-invalid to collect the rest.",
        "Niets geschreven: herstel de {errors} fouten hierboven, of gebruik --skip-invalid om de rest te incasseren.",
    ),
    "collect-nothing": ("Nothing to collect.", "Niets te incasseren."),
    "collect-dry-run": ("Dry run: nothing written.", "Proefdraai: niets geschreven."),
    "report-written": ("Marked copy written to {path}", "Gemarkeerde kopie geschreven naar {path}"),
}


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(code: str, lang: str = "en", **params) -> str:
    """The message for `code` in `lang` (en or nl), with its parameters filled in."""
    pair = CATALOGUE.get(code)
    if pair is None:
        return code
    template = pair[1] if lang == "nl" else pair[0]
    return template.format_map(_Keep(params))
