"""What many test modules share: the settings file of the test club and a fixed CLI env."""

NOW = "2026-11-27T10:00:00"

# A fixed clock, English messages, no fault injection: the environment of a CLI test run.
ENV = {"INCASSO_NOW": NOW, "INCASSO_FAULT": None, "LANG": "en_GB.UTF-8", "LC_ALL": None,
       "LC_MESSAGES": None}

# incasso.toml of the test club up to its [collection] table, for modules that write their
# own collection keys (dedent before writing).
CLUB = """
    [creditor]
    name = "Sportvereniging De Voorbeeldige"
    iban = "NL91ABNA0417164300"
    bic = "ABNANL2A"
    creditor_id = "NL69ZZZ123456780000"

    [accounts]
    receivables = "1300"
    suspense = "1290"
    bank = "1100"
    bank_charges = "4610"

    [collection]"""
# incasso.toml of the test club (dedent before writing).
SETTINGS = CLUB + '\n    bank = "abnamro"\n'

