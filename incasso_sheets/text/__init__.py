"""What the user reads: the catalogue of issue codes, help texts and renderers."""
