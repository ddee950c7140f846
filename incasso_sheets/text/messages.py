"""The message catalogue: every text a user reads, in English and Dutch, keyed by code.

Codes are stable kebab-case slugs; tests and scripts match on them, users search for them.
Templates use `{name}` parameters; a parameter that is not given stays visible as `{name}`.
Besides issues and terminal lines, the catalogue holds the headers of generated workbooks
and terminal tables, the progress step names, and (from help_texts.py) every --help text.
Both languages are required and must differ, except the pairs in IDENTICAL
(tests/test_messages.py).
"""

from __future__ import annotations

from incasso_sheets.text.help_texts import HELP

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
    "file-is-xls": (
        "Cannot read {path}: it is an old Excel .xls workbook or a workbook protected with a "
        "password; open it in Excel and save it as an Excel Workbook (.xlsx) without a password",
        "Kan {path} niet lezen: het is een oude Excel-werkmap (.xls) of een werkmap met een "
        "wachtwoord; open het in Excel en sla het op als Excel-werkmap (.xlsx) zonder wachtwoord",
    ),
    "file-is-workbook": (
        "Cannot read {path}: it is an Excel workbook (a zip file), not CSV text; name it .xlsx, "
        "or save it from Excel as CSV",
        "Kan {path} niet lezen: het is een Excel-werkmap (een zip-bestand), geen CSV-tekst; geef "
        "het de naam .xlsx, of sla het in Excel op als CSV",
    ),
    "file-is-text": (
        "Cannot read {path}: it is a text file, not an Excel workbook; if it is CSV, name it .csv",
        "Kan {path} niet lezen: het is een tekstbestand, geen Excel-werkmap; als het CSV is, "
        "geef het de naam .csv",
    ),
    "file-is-other": (
        "Cannot read {path}: it is a {kind} file, not a sheet; use an .xlsx or .csv file",
        "Kan {path} niet lezen: het is een {kind}-bestand, geen werkblad; gebruik een .xlsx- of "
        ".csv-bestand",
    ),
    "csv-utf16": (
        "Cannot read {path}: it is UTF-16 text (Excel's 'Unicode Text'); save it from Excel as "
        "'CSV UTF-8'",
        "Kan {path} niet lezen: het is UTF-16-tekst (Excels 'Unicode-tekst'); sla het in Excel "
        "op als 'CSV UTF-8'",
    ),
    "csv-row-length": (
        "Row has {count} fields, the header {expected}: the extra fields would be lost; "
        "check the separators and quotes on this row",
        "Regel heeft {count} velden, de kopregel {expected}: de extra velden zouden verloren "
        "gaan; controleer de scheidingstekens en aanhalingstekens op deze regel",
    ),
    "csv-row-short": (
        "Row has {count} fields, the header {expected}: the missing ones are read as empty",
        "Regel heeft {count} velden, de kopregel {expected}: de ontbrekende worden als leeg gelezen",
    ),
    "csv-row-length-unknown": (
        "Cannot read {path}: some rows have more fields than the header ({fields}), and the "
        "quotes are too irregular to say which; check the separators and quotes",
        "Kan {path} niet lezen: sommige regels hebben meer velden dan de kopregel ({fields}), "
        "en de aanhalingstekens zijn te onregelmatig om te zeggen welke; controleer de "
        "scheidingstekens en aanhalingstekens",
    ),
    "column-repeated": (
        "Column header '{header}' is written twice (columns {first} and {letter}); only the "
        "first is read: keep one of them",
        "Kolomkop '{header}' staat er twee keer (kolommen {first} en {letter}); alleen de eerste "
        "wordt gelezen: houd er één over",
    ),
    "xlsx-too-large": (
        "Refused to read {path}: it holds {size}, more than the limit of {limit}. A workbook "
        "this big can be a 'zip bomb'; if yours really is, raise {setting} under [limits] in "
        "incasso.toml",
        "{path} wordt niet gelezen: het bevat {size}, meer dan de grens van {limit}. Een zo "
        "grote werkmap kan een 'zip-bom' zijn; is de uwe echt zo groot, verhoog dan {setting} "
        "onder [limits] in incasso.toml",
    ),
    "xlsx-xml-refused": (
        "Refused to read {path}: its part {part} contains {reason}. Excel never writes a DTD, "
        "and one can be used to attack the computer that reads it",
        "{path} wordt niet gelezen: het onderdeel {part} bevat {reason}. Excel schrijft nooit "
        "een DTD, en die kan gebruikt worden om de computer aan te vallen die het bestand leest",
    ),
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
        "Scheme must be CORE or B2B (Standaard or Zakelijk; 1 or 2 as Visma writes them)",
        "Type incasso moet CORE of B2B zijn (Standaard of Zakelijk; 1 of 2 zoals Visma ze schrijft)",
    ),
    "sequence-invalid": (
        "Sequence type must be empty, FRST, RCUR, OOFF or FNAL (or Visma's 1 recurring, 2 final, 3 one-off)",
        "Volgordetype moet leeg, FRST, RCUR, OOFF of FNAL zijn (of Visma's 1 doorlopend, 2 laatste, 3 eenmalig)",
    ),
    "last-collection-date-in-future": (
        "Last collection date lies in the future (today is {today})",
        "Laatste incasso ligt in de toekomst (vandaag is {today})",
    ),
    "last-collection-before-mandate-date": (
        "Last collection is before the mandate date {mandate_date}, so it was under an earlier "
        "mandate: this mandate counts as unused and its first collection is FRST",
        "Laatste incasso ligt voor de datum machtiging {mandate_date}, dus onder een eerdere "
        "machtiging: deze machtiging telt als ongebruikt en de eerste incasso gaat als FRST",
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
        "Another run is in progress on {path} (waited {seconds} s); try again when it has finished",
        "Er loopt al een andere opdracht op {path} ({seconds} s gewacht); probeer het opnieuw als die klaar is",
    ),
    "ledger-ok": ("Ledger OK: {messages} messages, {batches} batches, {transactions} transactions",
                  "Ledger in orde: {messages} berichten, {batches} batches, {transactions} transacties"),
    "ledger-problems": ("Problems found in the ledger {path}: {count}",
                        "Problemen gevonden in het ledger {path}: {count}"),
    "ledger-integrity": ("SQLite integrity check: {detail}", "SQLite-integriteitscontrole: {detail}"),
    "ledger-foreign-key": ("Row {value} refers to a row of {parent} that is not there",
                           "Regel {value} verwijst naar een regel van {parent} die er niet is"),
    "ledger-transaction-no-block": (
        "Transaction is in no batch", "Transactie zit in geen enkele batch"),
    "ledger-block-unknown": ("Refers to batch '{batch}', which is not in the ledger",
                             "Verwijst naar batch '{batch}', die niet in het ledger staat"),
    "ledger-block-totals": (
        "Batch says {count} transactions, {total}; its transactions are {found_count}, {found_total}",
        "Batch zegt {count} transacties, {total}; de transacties zijn er {found_count}, {found_total}",
    ),
    "ledger-message-unknown": ("Batch belongs to message '{message}', which is not in the ledger",
                               "Batch hoort bij bericht '{message}', dat niet in het ledger staat"),
    "ledger-message-totals": (
        "Message says {count} transactions, {total}; its batches hold {found_count}, {found_total}",
        "Bericht zegt {count} transacties, {total}; de batches bevatten {found_count}, {found_total}",
    ),
    "ledger-journal-unbalanced": ("Journal {detail}", "Journaal {detail}"),
    "ledger-suspense-mismatch": (
        "Suspense balance shown as {shown}, but the bookings give {booked}",
        "Saldo tussenrekening getoond als {shown}, maar de boekingen geven {booked}",
    ),
    "ledger-run-unfinished": (
        "The {command} run of {created} committed but did not rename its files yet; the next collect or clear finishes it",
        "De {command}-opdracht van {created} is vastgelegd maar heeft de bestanden nog niet hernoemd; de volgende collect of clear maakt hem af",
    ),
    "ledger-id-duplicate": ("{kind} is used {count} times", "{kind} is {count} keer gebruikt"),
    "export-folder-not-empty": (
        "{path} is not an empty folder; choose a new folder for the export",
        "{path} is geen lege map; kies een nieuwe map voor de export",
    ),
    "ledger-exported": ("Exported {tables} tables to {path}", "{tables} tabellen geëxporteerd naar {path}"),
    "lock-wait-invalid": (
        "INCASSO_LOCK_WAIT must be a number of seconds from 0 to 86400, not '{value}'",
        "INCASSO_LOCK_WAIT moet een aantal seconden van 0 tot 86400 zijn, niet '{value}'",
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
    "invoice-number-reused": (
        "This invoice number was collected before for another invoice (batch, debtor, invoice date: "
        "{detail}); invoice numbers must stay unique, also across years: give this invoice a new number "
        "(for example with the year in front)",
        "Dit factuurnummer is al eerder geïncasseerd voor een andere factuur (batch, debiteur, "
        "factuurdatum: {detail}); factuurnummers moeten uniek blijven, ook over de jaren heen: geef deze "
        "factuur een nieuw nummer (bijvoorbeeld met het jaar ervoor)",
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
        "{path} is not a camt.052, camt.053, camt.054 or pain.002 file (namespace: {namespace})",
        "{path} is geen camt.052-, camt.053-, camt.054- of pain.002-bestand (namespace: {namespace})",
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
    "status-why-no-payout": ("waiting for the payout on the statement",
                             "wacht op de uitbetaling op het afschrift"),
    "status-why-short": ("paid out less than collected: a reject (pain.002) is missing",
                         "minder uitbetaald dan geïncasseerd: er ontbreekt een weigering (pain.002)"),
    "status-why-over": ("paid out more than collected minus rejects: check the rejects booked",
                        "meer uitbetaald dan geïncasseerd min weigeringen: controleer de geboekte weigeringen"),
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
    "settings-is-folder": (
        "Cannot read the settings file: {path} is a folder, not a file",
        "Kan het instellingenbestand niet lezen: {path} is een map, geen bestand",
    ),
    "settings-not-utf8": (
        "Cannot read the settings file: {path} is not UTF-8 text (line {line}); save it as UTF-8",
        "Kan het instellingenbestand niet lezen: {path} is geen UTF-8-tekst (regel {line}); "
        "sla het op als UTF-8",
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
        "Debtor number is not in {path}, so the update stops and nothing is written; correct "
        "the number, or give --add-new to add it as a new debtor",
        "Debiteurnummer staat niet in {path}, dus stopt het bijwerken en wordt er niets "
        "geschreven; verbeter het nummer, of geef --add-new om het als nieuwe debiteur toe te voegen",
    ),
    "update-debtor-duplicate": (
        "Debtor number is also listed on row {other_row} of {path} (leading zeros do not count); "
        "list each debtor once",
        "Debiteurnummer staat ook op regel {other_row} van {path} (voorloopnullen tellen niet); "
        "noem elke debiteur één keer",
    ),
    "update-column-missing-for-new": (
        "Column '{name}' is needed to add the {count} new debtors (accepted headers: {aliases})",
        "Kolom '{name}' is nodig om de {count} nieuwe debiteuren toe te voegen (toegestane kopjes: {aliases})",
    ),
    "update-not-encodable": (
        "The characters {characters} cannot be written in {path}, which is encoded as {encoding}; "
        "save it as CSV UTF-8 first",
        "De tekens {characters} kunnen niet in {path} geschreven worden, dat als {encoding} is "
        "opgeslagen; sla het eerst op als CSV UTF-8",
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
    # --- ledger import (migrations) --------------------------------------------------------
    "collection-date-missing": ("Collection date is empty", "Incassodatum is leeg"),
    "import-row-duplicate": (
        "Same invoice, date and amount as row {other_row}; give each collection once (or their EndToEndIds)",
        "Zelfde factuur, datum en bedrag als regel {other_row}; noem elke incasso één keer (of geef de EndToEndIds)",
    ),
    "import-amount-not-positive": (
        "A collected amount must be more than 0",
        "Een geïncasseerd bedrag moet meer dan 0 zijn",
    ),
    "end-to-end-id-too-long": (
        "EndToEndId is {length} characters; SEPA allows 35",
        "EndToEndId is {length} tekens; SEPA staat er 35 toe",
    ),
    "end-to-end-id-invalid": (
        "EndToEndId may only hold A-Z a-z 0-9 / - ? : ( ) . , ' + and may not start or end "
        "with '/' or contain '//'",
        "EndToEndId mag alleen A-Z a-z 0-9 / - ? : ( ) . , ' + bevatten en niet beginnen of "
        "eindigen met '/' of '//' bevatten",
    ),
    "end-to-end-id-duplicate": (
        "EndToEndId also appears on row {other_row}",
        "EndToEndId komt ook voor op regel {other_row}",
    ),
    "import-status-invalid": (
        "Status must be empty (collected), settled, rejected or returned (betaald, geweigerd, gestorneerd)",
        "Status moet leeg (geïncasseerd), betaald, geweigerd of gestorneerd zijn (settled, rejected, returned)",
    ),
    "reason-code-invalid": (
        "Reason code must be the bank's four-character code, such as AM04 or MD06",
        "Redencode moet de code van vier tekens van de bank zijn, zoals AM04 of MD06",
    ),
    "import-end-to-end-id-taken": (
        "The ledger already has this EndToEndId for invoice {invoice}",
        "Het ledger heeft deze EndToEndId al voor factuur {invoice}",
    ),
    "import-invoice-collected-here": (
        "incasso-sheets has collected this invoice itself; the imported row is left out (check it was not collected twice)",
        "incasso-sheets heeft deze factuur zelf geïncasseerd; de geïmporteerde regel wordt overgeslagen (controleer of hij niet twee keer is geïncasseerd)",
    ),
    "import-amount-differs": (
        "Invoice {invoice} was collected before the migration for {imported}, but the invoices "
        "sheet has it open for {open}; it is not collected again: check which is right",
        "Factuur {invoice} is voor de overstap geïncasseerd voor {imported}, maar staat in het "
        "facturenbestand open voor {open}; hij wordt niet opnieuw geïncasseerd: controleer wat klopt",
    ),
    "import-mandate-unknown": (
        "Mandate {mandate} of the imported collections is in no row of the debtors sheet; if the "
        "debtor has it under another reference, the next collection would wrongly be a FRST",
        "Machtiging {mandate} van de geïmporteerde incasso's staat bij geen enkele debiteur; als de "
        "debiteur hem onder een ander kenmerk heeft, gaat de volgende incasso ten onrechte als FRST",
    ),
    "import-file-unknown": (
        "{path} is not a pain.008 file (namespace: {namespace}); give a pain.008 or a sheet (.xlsx, .csv)",
        "{path} is geen pain.008-bestand (namespace: {namespace}); geef een pain.008 of een werkblad (.xlsx, .csv)",
    ),
    "import-done": (
        "Imported {count} earlier collections from {path}.",
        "{count} eerdere incasso's geïmporteerd uit {path}.",
    ),
    "import-would": (
        "Would import {count} earlier collections from {path}.",
        "Zou {count} eerdere incasso's importeren uit {path}.",
    ),
    "import-already": (
        "{count} collections were imported before and are skipped (already imported).",
        "{count} incasso's zijn al eerder geïmporteerd en worden overgeslagen (al geïmporteerd).",
    ),
    "import-nothing": (
        "Nothing new: every collection in {path} is already imported.",
        "Niets nieuws: elke incasso in {path} is al geïmporteerd.",
    ),
    "import-empty": ("No collections to import in {path}.", "Geen incasso's om te importeren in {path}."),
    "import-stopped": (
        "Nothing imported: fix the {errors} errors above.",
        "Niets geïmporteerd: herstel de {errors} fouten hierboven.",
    ),
    "migration-header": ("Taken over from the earlier system:", "Overgenomen uit het vorige systeem:"),
    "migration-mandates-sheet": (
        "  Mandates counted as used through the debtors sheet (column {column}), so RCUR and not FRST: "
        "{count} ({examples})",
        "  Machtigingen die als gebruikt tellen via het debiteurenbestand (kolom {column}), dus RCUR en geen FRST: "
        "{count} ({examples})",
    ),
    "migration-mandates-import": (
        "  Mandates counted as used through the ledger import, so RCUR and not FRST: {count} ({examples})",
        "  Machtigingen die als gebruikt tellen via de ledger-import, dus RCUR en geen FRST: {count} ({examples})",
    ),
    "migration-invoices-import": (
        "  Invoices collected before (ledger import), never collected again: {count} ({examples})",
        "  Facturen al eerder geïncasseerd (ledger-import), nooit opnieuw geïncasseerd: {count} ({examples})",
    ),
    "list-more": ("and {count} more", "en nog {count}"),
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
    # --- settings: words inside messages ------------------------------------------------
    # A parameter value that is a `word-` code is put in the message's language too.
    "word-text": ("text in quotes", "tekst tussen aanhalingstekens"),
    "word-bool": ("true or false", "true of false"),
    "word-int": ("a whole number", "een geheel getal"),
    "word-list": ("a list like [2026-12-31]", "een lijst zoals [2026-12-31]"),
    "word-time": ('a time like "12:30"', 'een tijd zoals "12:30"'),
    "word-zero-or-more": ("zero or more", "nul of meer"),
    "word-above-zero": ("a whole number above 0", "een geheel getal boven 0"),
    "word-lead-days": ("a whole number from 0 to 30", "een geheel getal van 0 tot en met 30"),
    "word-horizon-days": ("a whole number from 0 to 3660", "een geheel getal van 0 tot en met 3660"),
    "word-table": ("a [{section}] table", "een tabel [{section}]"),
    # --- incasso init ----------------------------------------------------------------------
    "init-prompt-name": ("Creditor name, as debtors see it on their statement",
                         "Naam van de incassant, zoals debiteuren die op hun afschrift zien"),
    "init-prompt-iban": ("IBAN the collected money is paid into",
                         "IBAN waarop het geïncasseerde geld binnenkomt"),
    "init-prompt-creditor-id": ("Creditor identifier (like NL69ZZZ123456780000)",
                                "Incassant-ID (zoals NL69ZZZ123456780000)"),
    "init-prompt-bic": ("BIC (leave empty to derive it from the IBAN)",
                        "BIC (laat leeg om hem uit de IBAN af te leiden)"),
    "init-prompt-bank": ("Bank, for its cut-off time", "Bank, voor het uiterste aanlevertijdstip"),
    "init-missing": (
        "Missing {options}: give them as options, or run 'incasso init' in a terminal to be asked",
        "{options} ontbreekt: geef ze als optie, of voer 'incasso init' uit in een terminal om ze gevraagd te krijgen",
    ),
    "init-ledger-kept": (
        "Kept the existing ledger {path}: it remembers every collection",
        "Het bestaande ledger {path} is bewaard: het onthoudt elke incasso",
    ),
    "init-next": (
        "Next: {cd}fill in debiteuren.xlsx and facturen.xlsx, then run: incasso check debiteuren.xlsx facturen.xlsx",
        "Daarna: {cd}vul debiteuren.xlsx en facturen.xlsx in en voer uit: incasso check debiteuren.xlsx facturen.xlsx",
    ),
    "init-cd": ("go to the folder (cd {folder}), ", "ga naar de map (cd {folder}), "),
    "option-date-invalid": ("use YYYY-MM-DD, for example 2026-12-01",
                            "gebruik JJJJ-MM-DD, bijvoorbeeld 2026-12-01"),
    # --- terminal tables ---------------------------------------------------------------------
    "severity-error": ("error", "fout"),
    "severity-warning": ("warning", "waarschuwing"),
    "more-of-code": ("  ... {count} more {code}", "  ... nog {count} keer {code}"),
    "col-batch": ("batch", "batch"),
    "col-scheme": ("scheme", "type"),
    "col-seq": ("seq", "volg"),
    "col-date": ("date", "datum"),
    "col-count": ("count", "aantal"),
    "col-total": ("total", "totaal"),
    "col-settled": ("settled", "betaald"),
    "col-rejected": ("rejected", "geweigerd"),
    "col-returned": ("returned", "storno"),
    "col-suspense": ("suspense", "tussenrek."),
    # --- generated workbooks (CSV files keep fixed Dutch headers: they are file formats) ----
    "summary-sheet": ("Summary", "Samenvatting"),
    "summary-col-batch": ("Batch (PmtInfId)", "Batch (PmtInfId)"),
    "summary-col-scheme": ("Scheme", "Type incasso"),
    "summary-col-sequence": ("Sequence type", "Volgordetype"),
    "summary-col-date": ("Collection date", "Incassodatum"),
    "summary-col-count": ("Count", "Aantal"),
    "summary-col-total": ("Total", "Totaal"),
    "summary-total": ("Total {message}", "Totaal {message}"),
    "skipped-sheet": ("Skipped", "Overgeslagen"),
    "skipped-col-row": ("Row", "Regel"),
    "skipped-col-invoice": ("Invoice number", "Factuurnummer"),
    "skipped-col-reason": ("Reason", "Reden"),
    "skipped-col-detail": ("Detail", "Toelichting"),
    "returns-sheet": ("Returns", "Stornos"),
    "returns-col-invoice": ("Invoice", "Factuur"),
    "returns-col-debtor": ("Debtor", "Debiteur"),
    "returns-col-e2e": ("EndToEndId", "EndToEndId"),
    "returns-col-amount": ("Amount", "Bedrag"),
    "returns-col-kind": ("Kind", "Soort"),
    "returns-col-reason": ("Reason", "Reden"),
    # The reason's meaning and advice in both languages, each column headed in its own.
    "returns-col-meaning-nl": ("Betekenis", "Betekenis"),
    "returns-col-meaning-en": ("Meaning", "Meaning"),
    "returns-col-advice-nl": ("Advies", "Advies"),
    "returns-col-advice-en": ("Advice", "Advice"),
    "returns-col-batch": ("Batch", "Batch"),
    "returns-col-date": ("Date", "Datum"),
    "returns-kind-return": ("return", "storno"),
    "returns-kind-reject": ("reject", "geweigerd"),
    "log-sheet": ("Changes", "Wijzigingen"),
    "log-col-debtor": ("Debtor number", "Debiteurnummer"),
    "log-col-column": ("Column", "Kolom"),
    "log-col-old": ("Old", "Oud"),
    "log-col-new": ("New", "Nieuw"),
    "log-col-note": ("Note", "Opmerking"),
    "issues-sheet": ("Issues", "Meldingen"),
    "issues-col-severity": ("severity", "ernst"),
    "issues-col-code": ("code", "code"),
    "issues-col-file": ("file", "bestand"),
    "issues-col-sheet": ("sheet", "werkblad"),
    "issues-col-row": ("row", "regel"),
    "issues-col-column": ("column", "kolom"),
    "issues-col-value": ("value", "waarde"),
    "issues-col-message": ("message", "melding"),
    "template-choose": ("Choose a value from the list: {choices}", "Kies een waarde uit de lijst: {choices}"),
    # --- progress (stderr, on a terminal; --verbose prints the times) -------------------------
    "step-time": ("{step}: {seconds} s", "{step}: {seconds} s"),
    "step-time-count": ("{step}: {seconds} s ({count} items, {rate}/s)",
                        "{step}: {seconds} s ({count} stuks, {rate}/s)"),
    "step-read-settings": ("Reading the settings", "Instellingen lezen"),
    "step-read-debtors": ("Reading the debtors", "Debiteuren lezen"),
    "step-read-invoices": ("Reading the invoices", "Facturen lezen"),
    "step-check-debtors": ("Checking the debtors", "Debiteuren controleren"),
    "step-check-invoices": ("Checking the invoices", "Facturen controleren"),
    "step-read-ledger": ("Reading the ledger", "Ledger lezen"),
    "step-select": ("Selecting what to collect", "Bepalen wat geïncasseerd wordt"),
    "step-write-xml": ("Writing the pain.008 files", "pain.008-bestanden schrijven"),
    "step-validate-xsd": ("Validating against the XSD", "Controleren tegen de XSD"),
    "step-write-files": ("Writing journal and lists", "Journaal en lijsten schrijven"),
    "step-commit": ("Recording in the ledger", "Vastleggen in het ledger"),
    "step-read-bank": ("Reading the bank files", "Bankbestanden lezen"),
    "step-read-updates": ("Reading the updates", "Wijzigingen lezen"),
    "step-merge": ("Merging and checking", "Samenvoegen en controleren"),
    "step-write-sheet": ("Writing the debtors sheet", "Debiteurenbestand schrijven"),
    "step-write-report": ("Writing the marked copy", "Gemarkeerde kopie schrijven"),
    # --- clear-trust (issue 12) ---
    "bank-file-no-namespace": (
        "{path} looks like a {kind} file (<{element}>) but has no XML namespace, so its "
        "version cannot be told and it is not read. Bank files name the message in the root "
        "element, e.g. xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\": use the file "
        "as the bank sent it",
        "{path} lijkt een {kind}-bestand (<{element}>) maar heeft geen XML-namespace; de "
        "versie is dus onbekend en het wordt niet gelezen. Bankbestanden noemen het bericht "
        "in het root-element, bijvoorbeeld xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\": "
        "gebruik het bestand zoals de bank het stuurde",
    ),
    "bank-file-unknown-no-namespace": (
        "{path} is not a camt.052, camt.053, camt.054 or pain.002 file: it has no XML "
        "namespace, and <{element}> is not a bank message",
        "{path} is geen camt.052-, camt.053-, camt.054- of pain.002-bestand: het heeft geen "
        "XML-namespace, en <{element}> is geen bankbericht",
    ),
    "bank-file-no-statement": (
        "contains no statement, report or notification (only a group header): nothing in it can be booked",
        "bevat geen afschrift, rapport of notificatie (alleen een groepskop): er valt niets uit te boeken",
    ),
    "bank-entry-no-status": (
        "entry without a status (Sts): whether the bank booked it cannot be told; it is not booked",
        "post zonder status (Sts): of de bank hem geboekt heeft is niet te zeggen; hij wordt niet geboekt",
    ),
    "bank-statement-other-account": (
        "statement {statement} is for account {detail}, not for the creditor's ({ours}): its "
        "entries ({count}) are not booked. The wrong download? If you also collect on this "
        "account, add it to extra_ibans under [creditor] in incasso.toml",
        "afschrift {statement} is van rekening {detail}, niet van de incassant ({ours}): de "
        "posten erin ({count}) worden niet geboekt. Verkeerde download? Incasseert u ook op deze "
        "rekening, zet hem dan bij extra_ibans onder [creditor] in incasso.toml",
    ),
    "bank-statement-no-account": (
        "statement {statement} names no account, so it cannot be told to be the creditor's: "
        "its entries ({count}) are not booked",
        "afschrift {statement} noemt geen rekening, dus niet te zeggen of het van de incassant "
        "is: de posten erin ({count}) worden niet geboekt",
    ),
    "bank-statement-other-currency": (
        "statement {statement} has entries in {currency} ({count}), not in EUR: they are not "
        "booked (direct debits are collected and booked in euro)",
        "afschrift {statement} heeft posten in {currency} ({count}), niet in EUR: die worden niet "
        "geboekt (incasso's worden in euro geïncasseerd en geboekt)",
    ),
    "word-iban-list": ('a list of IBANs like ["NL91ABNA0417164300"]',
                       'een lijst van IBANs zoals ["NL91ABNA0417164300"]'),
    # --- mt940 (issue 12) ---
    "mt940-unreadable": (
        "Cannot read the MT940 file {path}, line {line}: {reason}",
        "Kan het MT940-bestand {path} niet lezen, regel {line}: {reason}",
    ),
    "bank-charges-unmatched": (
        "charges for {detail}, which is not one batch or transaction of ours: book them by hand",
        "kosten voor {detail}, dat niet één batch of transactie van ons is: handmatig boeken",
    ),
    # --- update-review (issue 20) ---
    "update-new-same-number": (
        "Debtor {debtor} is not in {path}, but its row {other_row} holds debtor {other}, the same "
        "number (leading zeros do not count), so {debtor} is not added; to change that debtor, "
        "write {other} (format the column as Text, so Excel keeps the zeros)",
        "Debiteur {debtor} staat niet in {path}, maar regel {other_row} daarvan heeft debiteur "
        "{other}, hetzelfde nummer (voorloopnullen tellen niet), dus {debtor} wordt niet toegevoegd; "
        "schrijf {other} om die debiteur te wijzigen (maak de kolom Tekst, dan houdt Excel de nullen)",
    ),
    "update-new-same-iban": (
        "New debtor {debtor} has the IBAN of debtor {other} on row {other_row} of {path}; check "
        "that it is not the same debtor under another number",
        "Nieuwe debiteur {debtor} heeft de IBAN van debiteur {other} op regel {other_row} van {path}; "
        "controleer dat het niet dezelfde debiteur onder een ander nummer is",
    ),
    "update-new-same-name": (
        "New debtor {debtor} has the name of debtor {other} on row {other_row} of {path}; check "
        "that it is not the same debtor under another number",
        "Nieuwe debiteur {debtor} heeft de naam van debiteur {other} op regel {other_row} van {path}; "
        "controleer dat het niet dezelfde debiteur onder een ander nummer is",
    ),
    "update-mandate-id-duplicate": (
        "Mandate reference is also used by debtor {other} on row {other_row} of {path} "
        "(references are not case-sensitive)",
        "Machtigingskenmerk wordt ook gebruikt door debiteur {other} op regel {other_row} van {path} "
        "(hoofdletters tellen niet)",
    ),
    "update-dry-run-log": (
        "Dry run: the debtors sheet is not written, only the change log.",
        "Proefdraai: het debiteurenbestand is niet geschreven, alleen het wijzigingslog.",
    ),
    "log-col-warnings": ("Warnings", "Waarschuwingen"),
    "log-col-update-row": ("Row in changes", "Regel in wijzigingen"),
    # --- identity (issue 19) ---
    "invoice-already-collected-as": (
        "Already collected as {detail}: the same invoice number, spelled another way (letter case "
        "and leading zeros do not make another invoice)",
        "Al geïncasseerd als {detail}: hetzelfde factuurnummer, anders geschreven (hoofdletters en "
        "voorloopnullen maken geen andere factuur)",
    ),
    "ledger-empty": (
        "The ledger {path} is an empty file (0 bytes), perhaps a cloud placeholder that has not been "
        "downloaded yet; make sure the real file is there and run again (a new ledger is only made "
        "where there is none)",
        "Het ledger {path} is een leeg bestand (0 bytes), misschien een cloud-plaatshouder die nog niet "
        "is gedownload; zorg dat het echte bestand er staat en probeer het opnieuw (een nieuw ledger "
        "wordt alleen gemaakt waar er geen is)",
    ),
    "ledger-other-creditor": (
        "The ledger {path} belongs to creditor {ledger}, but the settings are those of creditor "
        "{settings}; use that creditor's settings, or give each creditor a folder of its own",
        "Het ledger {path} hoort bij incassant {ledger}, maar de instellingen zijn van incassant "
        "{settings}; gebruik de instellingen van die incassant, of geef elke incassant een eigen map",
    ),
    "ledger-creditor-other": (
        "Holds the collections of creditor {ledger}, not of {settings} (the settings' creditor)",
        "Bevat de incasso's van incassant {ledger}, niet van {settings} (de incassant van de instellingen)",
    ),
    "ledger-status-unknown": (
        "Status '{status}' is not one of {allowed}",
        "Status '{status}' is niet een van {allowed}",
    ),
    # --- update-rows (issue 20) ---
    "update-row-moved": (
        "{path} changed after it was read: row {row} no longer holds debtor {expected} "
        "(it holds '{found}'); nothing was written. Run the update again",
        "{path} is gewijzigd nadat het gelezen is: rij {row} bevat niet meer debiteur {expected} "
        "(er staat '{found}'); er is niets geschreven. Voer de wijziging opnieuw uit",
    ),
    "update-sheet-changed": (
        "{path} changed while the update ran; nothing was written. Run the update again",
        "{path} is gewijzigd terwijl de wijziging liep; er is niets geschreven. "
        "Voer de wijziging opnieuw uit",
    ),
    # --- pain-amend (issues 12 and 20) ---
    "bic-required": (
        "The IBAN is in {country}, a SEPA country outside the EEA, and its bank's BIC cannot be "
        "derived from it: fill in the BIC (the scheme requires it for these accounts)",
        "De IBAN ligt in {country}, een SEPA-land buiten de EER, en de BIC van de bank is er niet "
        "uit af te leiden: vul de BIC in (het schema eist die voor deze rekeningen)",
    ),
    "address-shortened": (
        "Longer than the {limit} characters the collection allows; shortened to '{after}'",
        "Langer dan de {limit} tekens die de incasso toestaat; ingekort tot '{after}'",
    ),
    "update-bic-derived": (
        "BIC of the new IBAN's bank (another bank than before)",
        "BIC van de bank van de nieuwe IBAN (een andere bank dan eerst)",
    ),
    "update-bic-cleared": (
        "the new IBAN is at another bank whose BIC is not known: BIC cleared, the IBAN alone is sent",
        "de nieuwe IBAN is van een andere bank waarvan de BIC niet bekend is: BIC leeggemaakt, "
        "alleen de IBAN wordt meegestuurd",
    ),
    "mandate-id-other-debtor": (
        "The ledger knows this mandate reference for debtor {other}: a mandate reference "
        "belongs to one debtor; give this debtor its own",
        "Het ledger kent dit machtigingskenmerk van debiteur {other}: een machtigingskenmerk "
        "hoort bij één debiteur; geef deze debiteur een eigen kenmerk",
    ),
    "update-originals-not-kept": (
        "The sheet says this mandate was collected before (last collection {last}), but without "
        "settings there is no ledger to keep its original IBAN and reference in: the next "
        "collection cannot send the amendment. Run the update with --config",
        "Volgens het bestand is op deze machtiging al eerder geïncasseerd (laatste incasso {last}), "
        "maar zonder instellingen is er geen ledger om de oorspronkelijke IBAN en het kenmerk in "
        "te bewaren: de volgende incasso kan de wijziging niet meesturen. Draai de update met --config",
    ),
    # --- input-guards (issue 19) ---
    "file-not-regular": (
        "Cannot read {path}: it is a {kind}, not a regular file",
        "Kan {path} niet lezen: het is een {kind}, geen gewoon bestand",
    ),
    "word-kind-folder": ("folder", "map"),
    "word-kind-fifo": ("named pipe (FIFO)", "named pipe (FIFO-bestand)"),
    "word-kind-device": ("device", "apparaatbestand"),
    "word-kind-socket": ("socket", "socketbestand"),
    "word-kind-other": ("special file", "speciaal bestand"),
    "xlsx-text-too-long": (
        "Refused to read {path}: its part {part} holds a text of more than {limit} "
        "characters, the most Excel keeps in a cell; this workbook was not written by Excel",
        "{path} wordt niet gelezen: het onderdeel {part} bevat een tekst van meer dan {limit} "
        "tekens, het meeste dat Excel in een cel bewaart; deze werkmap komt niet uit Excel",
    ),
    "word-text-mb": ("{text_mb} MB of cell text", "{text_mb} MB celtekst"),
    "csv-too-wide": (
        "Refused to read {path}: its header has {count} columns, and a sheet has at most "
        "{limit}; check the separator of the first line",
        "{path} wordt niet gelezen: de kopregel heeft {count} kolommen, en een werkblad "
        "hoogstens {limit}; controleer het scheidingsteken op de eerste regel",
    ),
    "csv-too-large": (
        "Refused to read {path}: it holds {size}, more than the limit of {limit}; if yours "
        "really is this big, raise {setting} under [limits] in incasso.toml",
        "{path} wordt niet gelezen: het bevat {size}, meer dan de grens van {limit}; als het "
        "echt zo groot is, verhoog dan {setting} onder [limits] in incasso.toml",
    ),
    "word-csv-cells": ("{cells} cells ({rows} lines x {columns} columns)",
                       "{cells} cellen ({rows} regels x {columns} kolommen)"),
    "word-cells-limit": ("{limit_cells} cells", "{limit_cells} cellen"),
    "settings-text-too-long": (
        "Text is {length} characters long; a setting holds at most {limit}",
        "Tekst is {length} tekens lang; een instelling bevat er hoogstens {limit}",
    ),
    "settings-too-large": (
        "Refused to read {path}: it is {size} bytes, more than the {limit} bytes a settings "
        "file may have",
        "{path} wordt niet gelezen: het is {size} bytes, meer dan de {limit} bytes die een "
        "instellingenbestand mag hebben",
    ),
    "incasso-now-invalid": (
        "INCASSO_NOW is not a date or a date and time: {value}; use the form 2026-11-27 or "
        "2026-11-27T10:00:00 (local time, without a time zone), or unset it",
        "INCASSO_NOW is geen datum of datum en tijd: {value}; gebruik de vorm 2026-11-27 of "
        "2026-11-27T10:00:00 (lokale tijd, zonder tijdzone), of verwijder de variabele",
    ),
    # --- output-plan (issue 19) ---
    "output-overwrites": (
        "{path} ({role}) is {other_role} {other}; choose another name: nothing was written",
        "{path} ({role}) is {other_role} {other}; kies een andere naam: er is niets geschreven",
    ),
    "output-folder-other-owner": (
        "The output folder {folder} holds unfinished files ({path}) of another administration "
        "({other}); this run is of {ours}: use an output folder of its own, nothing was written",
        "De uitvoermap {folder} bevat onafgemaakte bestanden ({path}) van een andere administratie "
        "({other}); deze opdracht is van {ours}: gebruik een eigen uitvoermap, er is niets geschreven",
    ),
    "output-folder-busy": (
        "The output folder {folder} is in use by a run of {other} (waited {seconds} s); this run is "
        "of {ours}: use an output folder of its own, or try again later; nothing was written",
        "De uitvoermap {folder} is in gebruik door een opdracht van {other} ({seconds} s gewacht); "
        "deze opdracht is van {ours}: gebruik een eigen uitvoermap, of probeer het later opnieuw; "
        "er is niets geschreven",
    ),
    "output-lock-unusable": (
        "Cannot lock the output folder: {reason} {path}; nothing was written",
        "Kan de uitvoermap niet vergrendelen: {reason} {path}; er is niets geschreven",
    ),
    "output-temp-changed": (
        "The temporary file {path} was replaced by something else while it was written; "
        "nothing was put in place",
        "Het tijdelijke bestand {path} is tijdens het schrijven door iets anders vervangen; "
        "er is niets op zijn plaats gezet",
    ),
    "word-file-debtors": ("the debtors sheet", "het debiteurenbestand"),
    "word-file-invoices": ("the invoices sheet", "het facturenbestand"),
    "word-file-updates": ("the update sheet", "het wijzigingenbestand"),
    "word-file-bank": ("a bank file", "een bankbestand"),
    "word-file-settings": ("the settings file", "het instellingenbestand"),
    "word-file-ledger": ("the ledger (or its journal or lock)", "het ledger (of zijn journaal of slot)"),
    "word-file-report": ("--report", "--report-bestand"),
    "word-file-output": ("-o", "-o-uitvoer"),
    "word-file-log": ("--log", "--log-bestand"),
    "word-file-export": ("the export folder", "de exportmap"),
    # --- output-owner (issue 19) ---
    "output-folder-other-administration": (
        "The output folder {folder} holds outputs of another administration, {other} (such as "
        "{path}); this run is of {ours}: use an output folder of its own; nothing was written",
        "De uitvoermap {folder} bevat uitvoer van een andere administratie, {other} (zoals "
        "{path}); deze opdracht is van {ours}: gebruik een eigen uitvoermap; er is niets geschreven",
    ),
    "output-folder-ledger-copy": (
        "The output folder {folder} holds outputs of {other} (such as {path}), whose ledger has the "
        "same id as this run's, {ours}: one ledger is a copy of the other, or was moved; use an "
        "output folder of its own; nothing was written",
        "De uitvoermap {folder} bevat uitvoer van {other} (zoals {path}), waarvan het ledger "
        "hetzelfde id heeft als dat van deze opdracht, {ours}: het ene ledger is een kopie van het "
        "andere, of is verplaatst; gebruik een eigen uitvoermap; er is niets geschreven",
    ),
    "output-record-unusable": (
        "Cannot read {path}, the output folder's record of which administration wrote which "
        "file: {reason}; nothing was written (move it away only if no other administration "
        "writes into this folder)",
        "Kan {path} niet lezen, het overzicht van de uitvoermap van welke administratie welk "
        "bestand schreef: {reason}; er is niets geschreven (verplaats het alleen als geen andere "
        "administratie in deze map schrijft)",
    ),
}


CATALOGUE.update(HELP)

# Pairs that are the same in both languages by nature (names, codes, identifiers); every
# other pair must differ (tests/test_messages.py).
IDENTICAL = frozenset({
    "col-batch", "summary-col-batch", "returns-col-e2e", "returns-col-batch", "issues-col-code",
    "returns-col-meaning-nl", "returns-col-meaning-en", "returns-col-advice-nl",
    "returns-col-advice-en", "step-time",
})
WORD_PREFIX = "word-"


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template(code: str, lang: str = "en") -> str | None:
    """The raw template of `code` in `lang`, or None for an unknown code."""
    pair = CATALOGUE.get(code)
    if pair is None:
        return None
    return pair[1] if lang == "nl" else pair[0]


def text(code: str, lang: str = "en", /, **params) -> str:
    """The message for `code` in `lang` (en or nl), with its parameters filled in. A
    parameter whose value is a `word-` code is itself put in `lang`."""
    found = template(code, lang)
    if found is None:
        return code
    params = {k: visible(v) if isinstance(v, str) else v for k, v in params.items()}
    for key, value in params.items():
        if isinstance(value, str) and value.startswith(WORD_PREFIX) and value in CATALOGUE:
            params[key] = template(value, lang).format_map(_Keep(params))
    return found.format_map(_Keep(params))


def visible(value: str) -> str:
    """`value` with every character a terminal does not show as itself (control and format
    characters, line and paragraph separators, unusual spaces) written as its escape, as
    Python's repr does: `\\u202e`, `\\n`, `\\xa0`. A right-to-left override inside an IBAN
    would otherwise turn the rest of the line around, and a line break split a message
    in two. Every value put into a message passes here."""
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)


def headers(codes: list[str], lang: str = "en") -> list[str]:
    """Column headers of a generated workbook, in `lang`."""
    return [text(code, lang) for code in codes]
