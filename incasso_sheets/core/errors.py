"""CannotContinue: the one exception for "cannot go on" (unreadable file, bad settings).

Problems in the user's data are Issues, not exceptions. The CLI turns a CannotContinue
into its message and exit code 3, in one place.
"""

from __future__ import annotations

import re

from incasso_sheets.text import messages


class CannotContinue(Exception):
    def __init__(self, code: str, **params):
        self.code = code
        self.params = {k: "" if v is None else _one_line(str(v)) for k, v in params.items()}
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return messages.text(self.code, lang, **self.params)


def _one_line(text: str) -> str:
    """A reason quoted from a library may hold line breaks (lxml: "...range\n, line 1"); the
    message of an exit 3 is one line."""
    text = re.sub(r"\s*[\r\n]+\s*(?=[,.;:])", "", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)
