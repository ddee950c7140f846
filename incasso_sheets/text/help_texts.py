"""The --help texts of the commands and their options, in English and Dutch.

Part of the message catalogue (`messages.CATALOGUE` takes these in), kept apart because
help texts are long. Keys: `help-<command>` for a command ("main" for `incasso` itself,
"debtors-update" for `incasso debtors update`), `opt-<command>-<parameter>` for an option,
`opt-<parameter>` for one that reads the same in every command. `click-...` are click's own
words (usage line, section titles, errors), keyed by click's English text, so that a
Dutch screen has no English left on it. The examples work on the samples/ folder.
"""

from __future__ import annotations

_EXAMPLE_COPY = "cp -r samples demo && cd demo"

HELP: dict[str, tuple[str, str]] = {
    # --- commands ------------------------------------------------------------------------
    "help-main": (
        """incasso-sheets: SEPA direct debit from Excel and CSV sheets.

        Check the debtors and invoices sheets, write the pain.008 collection file and the
        suspense-account journal, and clear that account from the bank's statements.
        'incasso COMMAND --help' explains each command: what it reads, what it writes, and
        an example on the samples/ folder.

        Messages are in English or Dutch: --lang, else 'language' in incasso.toml, else
        the computer's language (LANG). Issue codes, JSON keys and the CSV files are the
        same in both.

        Example, the whole tour in a copy of samples/:

        \b
            cp -r samples demo && cd demo
            incasso check debiteuren.xlsx facturen.xlsx
            incasso collect debiteuren.xlsx facturen.xlsx -o out
            incasso clear bank -o out
            incasso status
        """,
        """incasso-sheets: SEPA-incasso uit Excel- en CSV-bestanden.

        Controleer de debiteuren- en facturenbestanden, maak het pain.008-incassobestand en
        het journaal van de tussenrekening, en letter die rekening weer af met de
        afschriften van de bank. 'incasso OPDRACHT --help' legt elke opdracht uit: wat hij
        leest, wat hij schrijft, en een voorbeeld met de map samples/.

        Meldingen zijn in het Nederlands of Engels: --lang, anders 'language' in
        incasso.toml, anders de taal van de computer (LANG). Meldingscodes, JSON-sleutels
        en de CSV-bestanden zijn in beide talen gelijk.

        Voorbeeld, de hele rondleiding in een kopie van samples/:

        \b
            cp -r samples demo && cd demo
            incasso check debiteuren.xlsx facturen.xlsx
            incasso collect debiteuren.xlsx facturen.xlsx -o out
            incasso clear bank -o out
            incasso status
        """,
    ),
    "help-check": (
        """Check the debtors and invoices sheets and report every problem.

        Reads DEBTORS and INVOICES (.xlsx or .csv, Dutch or English headers) and, when it
        lies in the current folder or --config names it, incasso.toml. Writes nothing,
        except the marked copy of --report. Every problem is reported at its cell as
        FILE:SHEET:ROW:COLUMN, errors first, then a count per code. Exit code 0 when there
        are no errors (warnings allowed), 1 when there are.

        Example, on the sheets with mistakes in samples/:

        \b
            incasso check samples/fouten/debiteuren.xlsx samples/fouten/facturen.xlsx --report gemarkeerd.xlsx
        """,
        """Controleer het debiteuren- en het facturenbestand en meld elk probleem.

        Leest DEBTORS en INVOICES (.xlsx of .csv, Nederlandse of Engelse kopjes) en
        incasso.toml, als dat in de huidige map staat of met --config is opgegeven.
        Schrijft niets, behalve de gemarkeerde kopie van --report. Elk probleem wordt
        gemeld bij zijn cel als BESTAND:WERKBLAD:REGEL:KOLOM, fouten eerst, daarna een
        telling per code. Afsluitcode 0 zonder fouten (waarschuwingen mogen), 1 met fouten.

        Voorbeeld, met de bestanden met fouten in samples/:

        \b
            incasso check samples/fouten/debiteuren.xlsx samples/fouten/facturen.xlsx --report gemarkeerd.xlsx
        """,
    ),
    "help-template": (
        """Write blank debiteuren.xlsx, facturen.xlsx and incasso.toml to start from.

        Reads nothing. Writes into FOLDER (default: the current folder) the two workbooks,
        with the Dutch column headers (English headers are accepted as well), dropdowns and
        date, amount and text formats, and a settings file with every setting explained and
        example creditor values. 'incasso init' does the same with your own creditor
        details and also creates the ledger. Existing files are left alone unless --force
        is given (exit code 3).

        Example:

        \b
            incasso template blank
        """,
        """Schrijf lege debiteuren.xlsx, facturen.xlsx en incasso.toml om mee te beginnen.

        Leest niets. Schrijft in FOLDER (standaard: de huidige map) de twee werkmappen, met
        de Nederlandse kolomkopjes (Engelse kopjes worden ook geaccepteerd), keuzelijsten en
        opmaak voor datums, bedragen en tekst, en een instellingenbestand met uitleg bij
        elke instelling en voorbeeldgegevens van de incassant. 'incasso init' doet hetzelfde
        met uw eigen gegevens en maakt ook het ledger aan. Bestaande bestanden blijven staan,
        tenzij --force is gegeven (afsluitcode 3).

        Voorbeeld:

        \b
            incasso template leeg
        """,
    ),
    "help-init": (
        """Start a new administration: settings with your details, blank sheets, a ledger.

        Writes into FOLDER (default: the current folder) incasso.toml with your creditor
        name, IBAN, creditor identifier and bank filled in and every other setting
        explained, blank debiteuren.xlsx and facturen.xlsx, and an empty ledger
        (incasso.db). Values not given as options are asked for when run in a terminal;
        an IBAN or creditor identifier that is not valid is asked again, with the reason.
        Existing files are left alone unless --force is given (exit code 3); an existing
        ledger is always kept.

        Example:

        \b
            incasso init mijn-club --name "Sportvereniging De Voorbeeldige" --iban NL91ABNA0417164300 --creditor-id NL69ZZZ123456780000 --bank abnamro
        """,
        """Begin een nieuwe administratie: instellingen met uw gegevens, lege bestanden, een ledger.

        Schrijft in FOLDER (standaard: de huidige map) incasso.toml met uw naam als
        incassant, IBAN, incassant-ID en bank ingevuld en uitleg bij elke andere
        instelling, lege debiteuren.xlsx en facturen.xlsx, en een leeg ledger (incasso.db).
        Wat niet als optie is gegeven, wordt in een terminal gevraagd; een ongeldige IBAN
        of incassant-ID wordt opnieuw gevraagd, met de reden. Bestaande bestanden blijven
        staan, tenzij --force is gegeven (afsluitcode 3); een bestaand ledger blijft altijd
        bewaard.

        Voorbeeld:

        \b
            incasso init mijn-club --name "Sportvereniging De Voorbeeldige" --iban NL91ABNA0417164300 --creditor-id NL69ZZZ123456780000 --bank abnamro
        """,
    ),
    "help-collect": (
        """Write the pain.008 collection file and the suspense-account journal.

        Reads DEBTORS, INVOICES, incasso.toml (current folder, or --config) and the ledger
        beside it (incasso.db, created on the first run). Collects the open invoices of
        debtors with direct debit on, exactly once: the ledger remembers every collected
        invoice, so running the same sheets again collects nothing new. Writes, per file,
        OUTDIR/<MsgId>.pain008.xml (validated against the official XSD), .journal.csv,
        .prenotification.csv and .summary.xlsx, and records the run in the ledger. With
        errors in the sheets nothing is written (exit 1) unless --skip-invalid.

        Example, in a copy of samples/:

        \b
            cp -r samples demo && cd demo
            incasso collect debiteuren.xlsx facturen.xlsx -o out
        """,
        """Maak het pain.008-incassobestand en het journaal van de tussenrekening.

        Leest DEBTORS, INVOICES, incasso.toml (huidige map, of --config) en het ledger
        ernaast (incasso.db, bij de eerste keer aangemaakt). Incasseert de openstaande
        facturen van debiteuren met automatische incasso precies één keer: het ledger
        onthoudt elke geïncasseerde factuur, dus dezelfde bestanden nog eens incasseert
        niets nieuws. Schrijft per bestand OUTDIR/<MsgId>.pain008.xml (gecontroleerd tegen
        de officiële XSD), .journal.csv, .prenotification.csv en .summary.xlsx, en legt de
        run vast in het ledger. Met fouten in de bestanden wordt niets geschreven
        (afsluitcode 1), tenzij --skip-invalid.

        Voorbeeld, in een kopie van samples/:

        \b
            cp -r samples demo && cd demo
            incasso collect debiteuren.xlsx facturen.xlsx -o out
        """,
    ),
    "help-debtors": (
        """Work on the debtors sheet: bulk updates from a CSV or workbook.

        Example:

        \b
            incasso debtors update --help
        """,
        """Werk aan het debiteurenbestand: wijzigingen in bulk uit een CSV of werkmap.

        Voorbeeld:

        \b
            incasso debtors update --help
        """,
    ),
    "help-debtors-update": (
        """Merge UPDATES (new IBANs, mandates, addresses...) into the DEBTORS sheet.

        Reads DEBTORS, UPDATES (a .csv or .xlsx with a debtor number column and any of the
        debtors sheet's columns, under the same Dutch or English headers), and the ledger
        beside incasso.toml when there is one (read only). An empty cell leaves the value
        as it is; a lone - (or a dash such as –) clears it. The result is checked with the rules of 'incasso
        check'; with any error nothing is written (exit 1) and each problem points at its
        cell in UPDATES. Writes OUTPUT (may be DEBTORS itself), which keeps everything else
        of DEBTORS: for a workbook, other sheets, formatting and extra columns; for a CSV,
        its separator and encoding; and the change log of --log. A changed IBAN or mandate
        reference of a debtor collected before is sent as a SEPA amendment with the next
        collection. Running the same update again changes nothing.

        Example, with a new IBAN for debtor 10001 of samples/:

        \b
            printf 'Debiteurnummer;IBAN\\n10001;NL20INGB0001234567\\n' > wijzigingen.csv
            incasso debtors update samples/debiteuren.xlsx wijzigingen.csv -o debiteuren-nieuw.xlsx --dry-run
        """,
        """Verwerk UPDATES (nieuwe IBAN's, machtigingen, adressen...) in het bestand DEBTORS.

        Leest DEBTORS, UPDATES (een .csv of .xlsx met een kolom debiteurnummer en
        willekeurige kolommen van het debiteurenbestand, onder dezelfde Nederlandse of
        Engelse kopjes) en het ledger naast incasso.toml als dat er is (alleen lezen). Een
        lege cel laat de waarde staan; een losse - (of een streepje zoals –) maakt hem leeg.
        Het resultaat wordt
        gecontroleerd met de regels van 'incasso check'; bij een fout wordt niets
        geschreven (afsluitcode 1) en wijst elk probleem naar zijn cel in UPDATES.
        Schrijft OUTPUT (mag DEBTORS zelf zijn), dat al het andere van DEBTORS behoudt: bij
        een werkmap andere werkbladen, opmaak en extra kolommen; bij een CSV het
        scheidingsteken en de codering; en het wijzigingslog van --log. Een gewijzigde IBAN
        of gewijzigd machtigingskenmerk van een debiteur bij wie al eerder is
        geïncasseerd, gaat als SEPA-wijziging mee met de volgende incasso. Dezelfde
        wijzigingen nog eens verwerken verandert niets.

        Voorbeeld, met een nieuwe IBAN voor debiteur 10001 uit samples/:

        \b
            printf 'Debiteurnummer;IBAN\\n10001;NL20INGB0001234567\\n' > wijzigingen.csv
            incasso debtors update samples/debiteuren.xlsx wijzigingen.csv -o debiteuren-nieuw.xlsx --dry-run
        """,
    ),
    "help-clear": (
        """Clear the suspense account from the bank's camt.052/053/054 and pain.002 files.

        Reads FILES: statements (camt.053), intraday reports (camt.052), notifications
        (camt.054) and status reports (pain.002), or folders holding them; the kind is read
        from the XML namespace. Also reads incasso.toml and its ledger. Only statements of
        the creditor's account ('iban' and 'extra_ibans' under [creditor]), only entries in
        EUR and only entries the bank has booked (status BOOK) are booked. Payouts clear
        their batch (bank / suspense), rejects and returns reopen their invoices
        (receivables / suspense or bank) and update the mandate by reason code. Reading the
        same file twice, or a camt.052 and then the camt.053 of that day, books nothing
        twice. Writes OUTDIR/CLR-<date>-<n>.journal.csv, and for rejects and returns
        .returns.xlsx and .reopened-invoices.csv (shaped like the invoices sheet, to feed
        back to collect), and records the bookings in the ledger.

        Exit code 0: everything was booked or deliberately left alone (entries that are
        not direct debits, or not booked by the bank yet); a matched reject or return is 0
        whatever its reason code (its follow-up is in the returns report). 1: what matched
        is booked, and something needs a person: an unmatched payout, an unknown return or
        reject, a status report for an unknown message, a statement for another account or
        in another currency, a probable match not accepted, a malformed entry or file. 3: a
        file cannot be read. --format json prints the same summary for scripts: counts and
        *_cents amounts per kind, and under "attention" each item with its code and reason.

        Example, in the copy of samples/ after 'incasso collect':

        \b
            cd demo
            incasso clear bank -o out
        """,
        """Letter de tussenrekening af met de camt.052/053/054- en pain.002-bestanden van de bank.

        Leest FILES: afschriften (camt.053), tussentijdse rapporten (camt.052), notificaties
        (camt.054) en statusrapporten (pain.002), of mappen waarin die staan; de soort volgt
        uit de XML-namespace. Leest ook incasso.toml en het ledger. Alleen afschriften van
        de rekening van de incassant ('iban' en 'extra_ibans' onder [creditor]), alleen
        posten in EUR en alleen posten die de bank geboekt heeft (status BOOK) worden
        geboekt. Uitbetalingen letteren hun batch af (bank / tussenrekening), weigeringen en
        stornos zetten hun facturen weer open (debiteuren / tussenrekening of bank) en
        werken de machtiging bij volgens de redencode. Hetzelfde bestand twee keer lezen, of
        een camt.052 en daarna de camt.053 van die dag, boekt niets dubbel. Schrijft
        OUTDIR/CLR-<datum>-<n>.journal.csv, en bij weigeringen en stornos .returns.xlsx en
        .reopened-invoices.csv (met de kolommen van het facturenbestand, om weer aan
        collect te geven), en legt de boekingen vast in het ledger.

        Afsluitcode 0: alles is geboekt of bewust gelaten (posten die geen incasso zijn, of
        nog niet door de bank geboekt); een gevonden weigering of storno geeft 0, wat de
        redencode ook is (de opvolging staat in het stornorapport). 1: wat klopt is
        geboekt, en iets vraagt om een mens: een uitbetaling zonder batch, een onbekende
        storno of weigering, een statusrapport voor een onbekend bericht, een afschrift van
        een andere rekening of in een andere valuta, een waarschijnlijke match die niet is
        geaccepteerd, een onleesbare post of een bestand zonder afschrift. 3: een bestand is
        niet te lezen. --format json geeft hetzelfde overzicht voor scripts: aantallen en
        bedragen in *_cents per soort, en onder "attention" elk punt met code en reden.

        Voorbeeld, in de kopie van samples/ na 'incasso collect':

        \b
            cd demo
            incasso clear bank -o out
        """,
    ),
    "help-status": (
        """Show every batch: its state and its balance on the suspense account.

        Reads incasso.toml and its ledger; writes nothing. A batch is cleared when its
        suspense balance is zero: the payout and every reject have been booked. Batches
        past their collection date that are not cleared are flagged.

        Example, in the copy of samples/ after 'incasso collect' and 'incasso clear':

        \b
            cd demo
            incasso status --all
        """,
        """Toon elke batch: de stand en het saldo op de tussenrekening.

        Leest incasso.toml en het ledger; schrijft niets. Een batch is afgeletterd als het
        saldo op de tussenrekening nul is: de uitbetaling en elke weigering zijn geboekt.
        Batches waarvan de incassodatum voorbij is en die niet zijn afgeletterd, worden
        gemarkeerd.

        Voorbeeld, in de kopie van samples/ na 'incasso collect' en 'incasso clear':

        \b
            cd demo
            incasso status --all
        """,
    ),
    "help-ledger": (
        """The ledger (incasso.db beside incasso.toml): check it, export it, import history.

        Example:

        \b
            incasso ledger check --help
        """,
        """Het ledger (incasso.db naast incasso.toml): controleren, exporteren, historie importeren.

        Voorbeeld:

        \b
            incasso ledger check --help
        """,
    ),
    "help-ledger-check": (
        """Verify that the ledger is consistent; list every broken rule.

        Reads incasso.toml and its ledger, without waiting for a run that is busy; writes
        nothing. Checks that every collected transaction is in one batch, that the counts
        and totals of batches and messages are those of their transactions, that every
        journal entry balances, that each batch's suspense balance equals its bookings,
        that no run was left half finished and that no EndToEndId, batch or message id is
        used twice. Exit code 0 when all holds, 1 when not.

        Example, in the copy of samples/ after 'incasso collect':

        \b
            cd demo
            incasso ledger check
        """,
        """Controleer of het ledger klopt; noem elke regel die niet opgaat.

        Leest incasso.toml en het ledger, zonder te wachten op een opdracht die bezig is;
        schrijft niets. Controleert dat elke geïncasseerde transactie in één batch zit, dat
        de aantallen en totalen van batches en berichten die van hun transacties zijn, dat
        elke journaalpost in evenwicht is, dat het saldo op de tussenrekening van elke batch
        gelijk is aan zijn boekingen, dat geen opdracht half is blijven steken en dat geen
        EndToEndId, batch- of bericht-id twee keer is gebruikt. Afsluitcode 0 als alles
        klopt, anders 1.

        Voorbeeld, in de kopie van samples/ na 'incasso collect':

        \b
            cd demo
            incasso ledger check
        """,
    ),
    "help-ledger-export": (
        """Write every table of the ledger as a CSV file into FOLDER, for an auditor.

        Reads incasso.toml and its ledger. FOLDER must be new or empty; it gets
        <table>.csv for every table (runs, messages, blocks, transactions, mandates,
        statement_entries, journal, ...) with the column names as headers, ISO dates and
        amounts in integer cents, all from one consistent state of the ledger. The folder
        appears complete or not at all.

        Example, in the copy of samples/ after 'incasso collect':

        \b
            cd demo
            incasso ledger export audit-2026
        """,
        """Schrijf elke tabel van het ledger als CSV-bestand in FOLDER, voor een accountant.

        Leest incasso.toml en het ledger. FOLDER moet nieuw of leeg zijn; er komt een
        <tabel>.csv in voor elke tabel (runs, messages, blocks, transactions, mandates,
        statement_entries, journal, ...) met de kolomnamen als kopjes, ISO-datums en
        bedragen in hele centen, alles uit één consistente stand van het ledger. De map
        verschijnt in zijn geheel of helemaal niet.

        Voorbeeld, in de kopie van samples/ na 'incasso collect':

        \b
            cd demo
            incasso ledger export audit-2026
        """,
    ),
    "help-ledger-import": (
        """Take over the collections an earlier system made, once, when switching to incasso.

        Reads FILE, incasso.toml and its ledger (created if needed), and --debtors and
        --invoices to compare with. FILE is a sheet (.xlsx, .csv) with a row per earlier
        collection: invoice number, debtor number, mandate reference, amount and
        collection date (Factuurnummer, Debiteurnummer, Machtigingskenmerk, Bedrag,
        Incassodatum), and optionally EndToEndId, Volgordetype, Status (empty = collected;
        settled, rejected, returned) and Reden (the bank's reason code). Or FILE is a
        pain.008 collection file the earlier system wrote; its EndToEndIds are taken as
        the invoice numbers. Writes the imported collections into the ledger: they are
        never collected again, their mandates count as used (the next collection is RCUR,
        not FRST) and their EndToEndIds are never reused. With any error nothing is
        imported (exit 1); importing the same file again adds nothing. The first collect
        afterwards lists what was taken over.

        Example, in a fresh copy of samples/, with one earlier collection of debtor 10001:

        \b
            cp -r samples demo && cd demo
            printf 'Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum\\n2025-0100;10001;VDV-10001;25,00;01-10-2026\\n' > historie.csv
            incasso ledger import historie.csv --debtors debiteuren.xlsx --dry-run
        """,
        """Neem eenmalig de incasso's van een eerder systeem over, bij de overstap naar incasso.

        Leest FILE, incasso.toml en het ledger (zo nodig aangemaakt), en --debtors en
        --invoices om mee te vergelijken. FILE is een werkblad (.xlsx, .csv) met een regel
        per eerdere incasso: factuurnummer, debiteurnummer, machtigingskenmerk, bedrag en
        incassodatum (Factuurnummer, Debiteurnummer, Machtigingskenmerk, Bedrag,
        Incassodatum), en eventueel EndToEndId, Volgordetype, Status (leeg = geïncasseerd;
        settled, rejected, returned) en Reden (de redencode van de bank). Of FILE is een
        pain.008-incassobestand van het eerdere systeem; de EndToEndIds daarin gelden als
        factuurnummers. Schrijft de geïmporteerde incasso's in het ledger: ze worden nooit
        opnieuw geïncasseerd, hun machtigingen gelden als gebruikt (de volgende incasso is
        RCUR, niet FRST) en hun EndToEndIds worden nooit opnieuw gebruikt. Bij een fout
        wordt niets geïmporteerd (afsluitcode 1); hetzelfde bestand nog eens importeren
        voegt niets toe. De eerste collect daarna toont wat is overgenomen.

        Voorbeeld, in een nieuwe kopie van samples/, met één eerdere incasso van debiteur 10001:

        \b
            cp -r samples demo && cd demo
            printf 'Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum\\n2025-0100;10001;VDV-10001;25,00;01-10-2026\\n' > historie.csv
            incasso ledger import historie.csv --debtors debiteuren.xlsx --dry-run
        """,
    ),
    # --- options that read the same everywhere ---------------------------------------------
    "opt-lang": ("Language of messages, help and workbooks (default: 'language' in "
                 "incasso.toml, else from LANG).",
                 "Taal van meldingen, hulp en werkmappen (standaard: 'language' in "
                 "incasso.toml, anders uit LANG)."),
    "opt-quiet": ("Show no progress on the terminal.", "Toon geen voortgang in de terminal."),
    "opt-verbose": ("Print the time of each step (to stderr).",
                    "Toon de tijd van elke stap (op stderr)."),
    "opt-help": ("Show this message and exit.", "Toon deze hulp en stop."),
    "opt-version": ("Show the version and exit.", "Toon het versienummer en stop."),
    "opt-dry-run": ("Show what would happen; write nothing.", "Toon wat er zou gebeuren; schrijf niets."),
    "opt-config": ("Settings file (default: incasso.toml in the current folder).",
                   "Instellingenbestand (standaard: incasso.toml in de huidige map)."),
    "opt-journal-format": ("Journal CSV dialect (default: from the settings, else nl).",
                           "Soort journaal-CSV (standaard: uit de instellingen, anders nl)."),
    "opt-force": ("Overwrite the files if they already exist.",
                  "Overschrijf de bestanden als ze al bestaan."),
    "opt-sheet": ("Worksheet to read in both workbooks.", "Werkblad om in beide werkmappen te lezen."),
    "opt-fmt": ("How to print the result.", "Hoe het resultaat getoond wordt."),
    # --- per command ---------------------------------------------------------------------------
    "opt-check-debtors-sheet": ("Worksheet of the debtors workbook.", "Werkblad van de debiteurenwerkmap."),
    "opt-check-invoices-sheet": ("Worksheet of the invoices workbook.", "Werkblad van de facturenwerkmap."),
    "opt-check-config": ("Settings file to check as well (default: incasso.toml here, if present).",
                         "Instellingenbestand om ook te controleren (standaard: incasso.toml hier, als dat er is)."),
    "opt-check-fmt": ("How to print the issues: text, or json for scripts.",
                      "Hoe de meldingen getoond worden: text, of json voor scripts."),
    "opt-check-report-path": ("Write a marked copy of the sheets (.xlsx) with the bad cells coloured.",
                              "Schrijf een gemarkeerde kopie van de bestanden (.xlsx) met de foute cellen gekleurd."),
    "opt-init-name": ("Creditor name, as debtors see it (asked when not given).",
                      "Naam van de incassant, zoals debiteuren die zien (gevraagd als niet opgegeven)."),
    "opt-init-iban": ("IBAN the collected money is paid into (asked when not given).",
                      "IBAN waarop het geld binnenkomt (gevraagd als niet opgegeven)."),
    "opt-init-creditor-id": ("Creditor identifier from your bank, like NL69ZZZ123456780000 (asked when not given).",
                             "Incassant-ID van uw bank, zoals NL69ZZZ123456780000 (gevraagd als niet opgegeven)."),
    "opt-init-bic": ("BIC of that account (optional: derived from the IBAN).",
                     "BIC van die rekening (optioneel: afgeleid van de IBAN)."),
    "opt-init-bank": ("Your bank, for its cut-off time (default: other).",
                      "Uw bank, voor het uiterste aanlevertijdstip (standaard: other)."),
    "opt-init-force": ("Overwrite incasso.toml and the workbooks if they exist (the ledger is kept).",
                       "Overschrijf incasso.toml en de werkmappen als ze bestaan (het ledger blijft)."),
    "opt-collect-outdir": ("Folder for the collection file, journal, summary and pre-notification list.",
                           "Map voor het incassobestand, journaal, overzicht en de vooraankondigingslijst."),
    "opt-collect-collection-date": ("One collection date for every invoice (default: each invoice's due date, "
                                    "moved to the earliest possible date).",
                                    "Eén incassodatum voor alle facturen (standaard: de vervaldatum van elke "
                                    "factuur, verschoven naar de vroegst mogelijke datum)."),
    "opt-collect-until": ("Only invoices due on or before this date (default: all open invoices).",
                          "Alleen facturen die op of voor deze datum vervallen (standaard: alle openstaande)."),
    "opt-collect-scheme": ("Only collect this scheme (default: both, one file each).",
                           "Alleen dit type incasso (standaard: beide, elk een eigen bestand)."),
    "opt-collect-version": ("pain.008 version (default: from the settings, else .08).",
                            "pain.008-versie (standaard: uit de instellingen, anders .08)."),
    "opt-collect-skip-invalid": ("Collect the valid invoices and list the rest, instead of stopping on errors.",
                                 "Incasseer de goede facturen en noem de rest, in plaats van te stoppen bij fouten."),
    "opt-collect-dry-run": ("Show what would be collected; write nothing.",
                            "Toon wat geïncasseerd zou worden; schrijf niets."),
    "opt-collect-no-xsd": ("Skip the XSD validation of the generated file.",
                           "Sla de XSD-controle van het gemaakte bestand over."),
    "opt-debtors-update-output": ("The updated debtors sheet, in the format of DEBTORS (may be DEBTORS itself).",
                                  "Het bijgewerkte debiteurenbestand, in het formaat van DEBTORS (mag DEBTORS zelf zijn)."),
    "opt-debtors-update-config": ("Settings file, for the ledger beside it (default: incasso.toml here, if present).",
                                  "Instellingenbestand, voor het ledger ernaast (standaard: incasso.toml hier, als dat er is)."),
    "opt-debtors-update-add-new": ("Add debtors that are not in DEBTORS (every required column must be present).",
                                   "Voeg debiteuren toe die niet in DEBTORS staan (elke verplichte kolom moet er zijn)."),
    "opt-debtors-update-dry-run": ("Show the changes; write only the --log file, not OUTPUT.",
                                   "Toon de wijzigingen; schrijf alleen het --log-bestand, niet OUTPUT."),
    "opt-debtors-update-log-path": ("Also write the change log to this .csv or .xlsx file.",
                                    "Schrijf het wijzigingslog ook naar dit .csv- of .xlsx-bestand."),
    "opt-debtors-update-sheet": ("Worksheet of the debtors workbook.", "Werkblad van de debiteurenwerkmap."),
    "opt-debtors-update-updates-sheet": ("Worksheet of the updates workbook.",
                                         "Werkblad van de werkmap met wijzigingen."),
    "opt-clear-outdir": ("Folder for the clearing journal, returns report and reopened invoices.",
                         "Map voor het afletterjournaal, het stornorapport en de heropende facturen."),
    "opt-clear-accept-probable": ("Also book payouts matched only by amount and date.",
                                  "Boek ook uitbetalingen die alleen op bedrag en datum passen."),
    "opt-clear-dry-run": ("Show what would be booked; write nothing.", "Toon wat geboekt zou worden; schrijf niets."),
    "opt-clear-fmt": ("text, or json for scripts: counts, *_cents amounts and what needs attention.",
                      "text, of json voor scripts: aantallen, bedragen in *_cents en wat aandacht vraagt."),
    "opt-status-fmt": ("text, or json for scripts.", "text, of json voor scripts."),
    "opt-status-show-all": ("Also list batches that are fully cleared.", "Toon ook batches die helemaal zijn afgeletterd."),
    "opt-ledger-import-debtors": ("Debtors sheet to compare with (warns about imported mandates it lacks).",
                                  "Debiteurenbestand om mee te vergelijken (waarschuwt voor geïmporteerde machtigingen die erin ontbreken)."),
    "opt-ledger-import-invoices": ("Invoices sheet to compare with (warns about amounts that differ).",
                                   "Facturenbestand om mee te vergelijken (waarschuwt voor bedragen die verschillen)."),
    "opt-ledger-import-sheet": ("Worksheet of FILE.", "Werkblad van FILE."),
    "opt-ledger-import-dry-run": ("Check and show what would be imported; write nothing.",
                                  "Controleer en toon wat geïmporteerd zou worden; schrijf niets."),
    # --- click's own words (English: click's text exactly) -----------------------------------
    "click-usage": ("Usage:", "Gebruik:"),
    "click-options": ("Options", "Opties"),
    "click-commands": ("Commands", "Opdrachten"),
    "click-error": ("Error: {message}", "Fout: {message}"),
    "click-error-prompt": ("Error: {e.message}", "Fout: {e.message}"),
    "click-try-help": ("Try '{command} {option}' for help.", "Probeer '{command} {option}' voor hulp."),
    "click-missing-argument": ("Missing argument", "Argument ontbreekt"),
    "click-missing-option": ("Missing option", "Optie ontbreekt"),
    "click-missing-parameter": ("Missing parameter", "Parameter ontbreekt"),
    "click-no-such-option": ("No such option {name!r}.", "Onbekende optie {name!r}."),
    "click-no-such-command": ("No such command {name!r}.", "Onbekende opdracht {name!r}."),
    "click-invalid-value": ("Invalid value for {param_hint}: {message}",
                            "Ongeldige waarde voor {param_hint}: {message}"),
    "click-invalid-value-short": ("Invalid value: {message}", "Ongeldige waarde: {message}"),
    "click-missing-command": ("Missing command.", "Opdracht ontbreekt."),
    "click-does-not-exist": ("{name} {filename!r} does not exist.", "{name} {filename!r} bestaat niet."),
    "click-aborted": ("Aborted!", "Afgebroken."),
    "click-required": ("required", "verplicht"),
    "click-default": ("default: {default}", "standaard: {default}"),
    "click-repeat": ("Repeat for confirmation", "Herhaal ter bevestiging"),
}
