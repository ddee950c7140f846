"""Reading and writing workbooks and CSV files."""
