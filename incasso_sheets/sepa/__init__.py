"""The rules of the SEPA direct debit scheme. No I/O here."""
