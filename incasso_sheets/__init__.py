"""incasso-sheets: SEPA direct debit from Excel and CSV sheets."""

__version__ = "0.1.0"
