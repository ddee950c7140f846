"""The repository explains itself: no file points outside it, and every `docs/<page>.md §N`
reference names a section that the page has."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()
# Background notes that live outside the repository; a reader who clones it has none.
OUTSIDE = re.compile(r"\.\./shared|sepa-rules\.md|sheets-and-bookings\.md|mt940-nl\.md")
# `docs/sepa.md §4.5`, `docs/sepa.md §9, §10`, `docs/sepa.md §1-2`, `[docs/sepa.md](docs/sepa.md)
# §4.5`, `sepa.md §10.3` (from another page in docs/), over a line break too.
REFERENCE = re.compile(
    r"(?:docs/)?(?P<page>sepa|sheets)\.md(?:\]\([^)]*\))?\s*"
    r"(?P<sections>§\s*\d+(?:\.\d+)*(?:\s*(?:,|and|or|/|-)\s*§?\s*\d+(?:\.\d+)*)*)")
NUMBER = re.compile(r"\d+(?:\.\d+)*")
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", re.MULTILINE)


def tracked_text_files() -> list[Path]:
    """The repository's files (git's list when there is one), text only."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        paths = [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if p.is_file()
                 and not any(part.startswith(".") or part == "__pycache__"
                             for part in p.relative_to(ROOT).parts)]
    texts = []
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        texts.append(path)
    return texts


FILES = tracked_text_files()


@functools.cache
def sections(page: str) -> set[str]:
    return set(HEADING.findall((ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")))


def references(text: str) -> list[tuple[str, str]]:
    """(page, section number) for every reference in `text`."""
    return [(m["page"], n) for m in REFERENCE.finditer(text) for n in NUMBER.findall(m["sections"])]


def test_the_reference_pattern_reads_the_forms_in_use():
    text = ("(docs/sepa.md §9, §10). docs/sepa.md §1-2 [docs/sepa.md](docs/sepa.md) §4.5.\n"
            "(docs/sepa.md\n   §10.3): see sepa.md §6.4 and docs/sheets.md §3; docs/sepa.md.")
    assert references(text) == [("sepa", "9"), ("sepa", "10"), ("sepa", "1"), ("sepa", "2"),
                                ("sepa", "4.5"), ("sepa", "10.3"), ("sepa", "6.4"),
                                ("sheets", "3")]


def test_the_pages_number_their_sections():
    assert {"1", "4.5", "6.4", "10.3"} <= sections("sepa")
    assert {"2", "3"} <= sections("sheets")


def test_the_repository_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"README.md", "docs/sepa.md", "incasso_sheets/sepa/reasons.py"} <= names


@pytest.mark.parametrize("path", [p for p in FILES if p != THIS],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_file_points_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    found = [(text.count("\n", 0, m.start()) + 1, m.group()) for m in OUTSIDE.finditer(text)]
    assert found == []


@pytest.mark.parametrize("path", [p for p in FILES if p != THIS],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_section_referenced_exists(path):
    refs = references(path.read_text(encoding="utf-8"))
    missing = sorted({f"docs/{page}.md §{n}" for page, n in refs if n not in sections(page)})
    assert missing == []
