"""The README tour, run as written: every `incasso ...` line of its ```sh blocks, in order, in a
copy of samples/, with the output the README shows.

The clock is set as `make demo` sets it: 27 November 2026 for every command except `clear`
and `status`, which get 2 December 2026, the day of the sample bank files. A file the README
asks the user to write (a ```csv block above the command) is written first. The lines of a
plain ``` block right after a command must appear in that command's output ('...' stands
for lines left out).
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
COPIED = ("debiteuren.xlsx", "facturen.xlsx", "fouten", "incasso.toml", "bank")
BANK_DAY = ("clear", "status")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@dataclass
class Step:
    args: list[str]
    files: dict[str, str] = field(default_factory=dict)  # name -> content, written before the command
    shown: list[str] = field(default_factory=list)       # lines the output must hold

    def __str__(self) -> str:
        return shlex.join(["incasso", *self.args])


def tour(text: str) -> list[Step]:
    steps: list[Step] = []
    pending_csv: str | None = None
    last_end, last_kind = 0, ""
    for block in FENCE.finditer(text):
        kind, body = block.group(1), block.group(2)
        between = text[last_end:block.start()]
        if kind == "csv":
            pending_csv = body
        elif kind == "sh":
            for line in body.splitlines():
                if not line.startswith("incasso "):
                    continue
                step = Step(shlex.split(line)[1:])
                if pending_csv is not None:
                    name = next(a for a in step.args if a.endswith(".csv"))
                    step.files[name] = pending_csv
                    pending_csv = None
                steps.append(step)
        elif kind == "" and last_kind == "sh" and "\n#" not in between and steps:
            steps[-1].shown = [line for line in body.splitlines() if line.strip() != "..."]
        last_end, last_kind = block.end(), kind
    return steps


STEPS = tour((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_a_tour():
    commands = [s.args[0] for s in STEPS]
    for command in ("init", "template", "check", "collect", "clear", "status", "debtors"):
        assert command in commands
    assert all(s.shown for s in STEPS if s.args[0] in ("collect", "clear", "status"))


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    here = tmp_path / "tour"
    here.mkdir()
    for name in COPIED:
        source = SAMPLES / name
        if source.is_dir():
            shutil.copytree(source, here / name)
        else:
            shutil.copyfile(source, here / name)
    monkeypatch.chdir(here)
    return here


def test_every_command_of_the_tour(folder):
    for step in STEPS:
        for name, content in step.files.items():
            (folder / name).write_text(content, encoding="utf-8")
        day = "2026-12-02T20:00:00" if step.args[0] in BANK_DAY else "2026-11-27T10:00:00"
        env = {"INCASSO_NOW": day, "LANG": "en_GB.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
        result = CliRunner(env=env).invoke(main, step.args, catch_exceptions=False)
        fails = step.args[0] == "check" and any(a.startswith("fouten/") for a in step.args)
        assert result.exit_code == (1 if fails else 0), f"{step}\n{result.output}"
        output = [line.rstrip() for line in result.output.splitlines()]
        for line in step.shown:
            assert line.rstrip() in output, f"{step}: README shows a line the output lacks:\n{line}"
