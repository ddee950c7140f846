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
    "os-error": ("Cannot continue: {reason} {path}; nothing was changed",
                 "Kan niet verder: {reason} {path}; er is niets veranderd"),
    "run-recovered": ("Finished an interrupted earlier run: {path}",
                      "Een eerder onderbroken opdracht afgemaakt: {path}"),
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
    "name-empty-after-transliteration": (
        "Name has no letters or digits of the SEPA character set left; write the name in Latin letters",
        "Naam houdt geen letters of cijfers uit de SEPA-tekenset over; schrijf de naam in Latijnse letters",
    ),
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
        "The IBAN is outside the EEA ({country}): the town is required (the country defaults to the IBAN's)",
        "De IBAN ligt buiten de EER ({country}): de plaats is verplicht (het land is standaard dat van de IBAN)",
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
    "invoice-needs-contact": (
        "The last collection came back with {detail}: contact the debtor; it is not collected again automatically",
        "De vorige incasso kwam terug met {detail}: neem contact op met de debiteur; er wordt niet automatisch opnieuw geïncasseerd",
    ),
    "invoice-fix-first": (
        "The last collection came back with {detail}: correct the debtor's IBAN or mandate first",
        "De vorige incasso kwam terug met {detail}: corrigeer eerst de IBAN of machtiging van de debiteur",
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
    # --- bank files (camt.053/054, pain.002) ---------------------------------------------
    "xml-refused": (
        "Refused to read {path}: it contains {reason}. Bank files never have a DTD, and one "
        "can be used to attack the computer that reads it",
        "{path} wordt niet gelezen: het bevat {reason}. Bankbestanden hebben nooit een DTD, "
        "en die kan gebruikt worden om de computer aan te vallen die het bestand leest",
    ),
    "bank-file-unknown": (
        "{path} is not a camt.053, camt.054 or pain.002 file (namespace: {namespace})",
        "{path} is geen camt.053-, camt.054- of pain.002-bestand (namespace: {namespace})",
    ),
    "bank-file-wrong-kind": (
        "{path} is a {found} file; expected {expected}",
        "{path} is een {found}-bestand; verwacht: {expected}",
    ),
    "bank-amount-invalid": (
        "An amount in the bank file is not a number",
        "Een bedrag in het bankbestand is geen getal",
    ),
    "bank-date-invalid": (
        "A date in the bank file is not a valid date",
        "Een datum in het bankbestand is geen geldige datum",
    ),
    "bank-count-invalid": (
        "The number of transactions of a batch in the bank file is not a whole number",
        "Het aantal transacties van een batch in het bankbestand is geen geheel getal",
    ),
    "bank-entry-several-batches": (
        "A bank entry holds more than one batch; only the first is read",
        "Een boeking van de bank bevat meer dan één batch; alleen de eerste wordt gelezen",
    ),
    # --- clear and status ------------------------------------------------------------------
    "clear-payout": ("{count} payouts booked, {total} in total (bank / suspense)",
                     "{count} uitbetalingen geboekt, totaal {total} (bank / tussenrekening)"),
    "clear-reject": ("{count} rejects before settlement booked, {total} (receivables / suspense)",
                     "{count} weigeringen voor de incassodatum geboekt, {total} (debiteuren / tussenrekening)"),
    "clear-return": ("{count} returns and refunds booked, {total} (receivables / bank)",
                     "{count} stornos geboekt, {total} (debiteuren / bank)"),
    "clear-charges": ("{count} bank charges booked, {total}", "{count} bankkosten geboekt, {total}"),
    "clear-reject-debited": (
        "{count} debits of already rejected collections booked, {total} (suspense / bank)",
        "{count} afschrijvingen van al geweigerde incasso's geboekt, {total} (tussenrekening / bank)"),
    "clear-duplicates": ("{count} entries were booked in an earlier run and are skipped",
                         "{count} posten zijn al eerder geboekt en worden overgeslagen"),
    "clear-not-booked": ("{count} entries are not booked by the bank yet (pending or information)",
                         "{count} posten zijn nog niet door de bank geboekt (voorlopig of informatief)"),
    "clear-ignored": ("{count} other entries are not direct debits and are left alone",
                      "{count} andere posten zijn geen incasso's en blijven buiten beschouwing"),
    "clear-nothing": ("Nothing to book.", "Niets te boeken."),
    "clear-balance": ("Batch {batch}: suspense balance {balance}",
                      "Batch {batch}: saldo tussenrekening {balance}"),
    "bank-payout-probable": (
        "probably batch {batch} (amount and date match); book it with --accept-probable",
        "waarschijnlijk batch {batch} (bedrag en datum kloppen); boek met --accept-probable"),
    "bank-payout-unmatched": (
        "credit that looks like a collection payout but matches no batch (no batch id, no known EndToEndIds, no batch with this amount around this date)",
        "bijschrijving die op een incasso-uitbetaling lijkt maar bij geen batch past (geen batch-id, geen bekende EndToEndIds, geen batch met dit bedrag rond deze datum)"),
    "bank-payout-ambiguous": ("several batches have this amount and date: {detail}",
                              "meerdere batches hebben dit bedrag en deze datum: {detail}"),
    "bank-payout-several-blocks": ("the entry names several batches: {detail}",
                                   "de post noemt meerdere batches: {detail}"),
    "bank-payout-twice": ("batch {detail} already has its payout booked",
                          "batch {detail} heeft zijn uitbetaling al geboekt"),
    "bank-return-no-reference": ("return without an EndToEndId: book it by hand",
                                 "storno zonder EndToEndId: handmatig boeken"),
    "bank-return-unknown": ("EndToEndId {detail} is not one of ours",
                            "EndToEndId {detail} is niet van ons"),
    "bank-entry-amount-unreadable": ("the amount cannot be read {detail}",
                                     "het bedrag is niet te lezen {detail}"),
    "bank-status-unknown-message": ("status report for message {detail}, which is not in the ledger",
                                    "statusrapport voor bericht {detail}, dat niet in het ledger staat"),
    "bank-status-unknown-block": ("status report for batch {detail}, which is not in the ledger",
                                  "statusrapport voor batch {detail}, die niet in het ledger staat"),
    "status-empty": ("No batches in the ledger yet.", "Nog geen batches in het ledger."),
    "status-overdue": ("NOT CLEARED", "NIET AFGELETTERD"),
    "status-hidden": ("{count} cleared batches not shown (--all shows them)",
                      "{count} afgeletterde batches niet getoond (--all toont ze)"),
    "status-total": ("Suspense balance over {batches} batches: {total}",
                     "Saldo tussenrekening over {batches} batches: {total}"),
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
    # --- debtors update --------------------------------------------------------------
    "update-debtor-unknown": (
        "Debtor number is not in the debtors sheet; nothing is changed for it (use --add-new to add it)",
        "Debiteurnummer staat niet in het debiteurenbestand; er wordt niets voor gewijzigd (gebruik --add-new om toe te voegen)",
    ),
    "update-debtor-duplicate": (
        "Debtor number is also listed on row {other_row} of the updates; list each debtor once",
        "Debiteurnummer staat ook op regel {other_row} van de wijzigingen; noem elke debiteur één keer",
    ),
    "update-column-missing-for-new": (
        "Column '{name}' is needed to add the {count} new debtors (accepted headers: {aliases})",
        "Kolom '{name}' is nodig om de {count} nieuwe debiteuren toe te voegen (toegestane kopjes: {aliases})",
    ),
    "update-not-encodable": (
        "'{value}' cannot be written in {path}, which is encoded as {encoding}; save it as CSV UTF-8 first",
        "'{value}' kan niet in {path} geschreven worden, dat als {encoding} is opgeslagen; sla het eerst op als CSV UTF-8",
    ),
    "update-output-format": (
        "{path}: the updated debtors sheet keeps the format of {source}; give it a {suffix} name",
        "{path}: het bijgewerkte debiteurenbestand houdt het formaat van {source}; geef het een {suffix}-naam",
    ),
    "update-log-format": (
        "{path}: the change log is written as .csv or .xlsx",
        "{path}: het wijzigingslog wordt als .csv of .xlsx geschreven",
    ),
    "update-debtor-added": ("new debtor", "nieuwe debiteur"),
    "update-amendment-smnda": (
        "amendment: SMNDA (new account at another bank) will be sent with the next collection, as FRST",
        "wijziging machtiging: SMNDA (nieuwe rekening bij een andere bank) wordt met de volgende incasso meegestuurd, als FRST",
    ),
    "update-amendment-iban": (
        "amendment: the original IBAN {detail} will be sent with the next collection",
        "wijziging machtiging: de oorspronkelijke IBAN {detail} wordt met de volgende incasso meegestuurd",
    ),
    "update-amendment-mandate-id": (
        "amendment: the original mandate id {detail} will be sent with the next collection",
        "wijziging machtiging: het oorspronkelijke machtigingskenmerk {detail} wordt met de volgende incasso meegestuurd",
    ),
    "update-new-mandate": (
        "new mandate: the next collection is sent as FRST",
        "nieuwe machtiging: de volgende incasso gaat als FRST",
    ),
    "update-stopped": (
        "Nothing written: fix the {errors} errors above.",
        "Niets geschreven: herstel de {errors} fouten hierboven.",
    ),
    "update-summary": (
        "{changes} changes for {debtors} debtors, {added} of them new.",
        "{changes} wijzigingen bij {debtors} debiteuren, waarvan {added} nieuw.",
    ),
    "update-nothing": ("No changes.", "Geen wijzigingen."),
    "update-more": (
        "... and {count} more changes (all of them in the --log file)",
        "... en nog {count} wijzigingen (allemaal in het --log-bestand)",
    ),
    "update-dry-run": ("Dry run: nothing written.", "Proefdraai: niets geschreven."),
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
    "report-is-input": (
        "The report {path} would overwrite an input file; choose another name",
        "Het rapport {path} zou een invoerbestand overschrijven; kies een andere naam",
    ),
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
