"""`debtors update`: merge a change file into the debtors sheet."""
