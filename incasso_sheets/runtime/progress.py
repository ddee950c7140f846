"""Progress of long steps: the Reporter the run modules tell what they are doing.

The run modules call `with reporter.step("read-debtors"): ...` and `reporter.advance(n)`;
they never know whether anyone watches. `SILENT` (the default everywhere) does nothing.
`LineReporter` is the one the CLI hands in: on a terminal it keeps one line on stderr up
to date (step, a bar when the total is known, count, rate, elapsed time) and wipes it
when the step ends, so the output stays exactly what it is without it; with `verbose` it
also prints each step's time. Step names are catalogue codes (`step-<name>`), so the line
is in the user's language.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from incasso_sheets.text import messages


class Reporter(Protocol):
    def step(self, name: str, total: int | None = None) -> contextlib.AbstractContextManager[None]:
        """A step of the run; `total` is the count `advance` will reach, when known."""

    def advance(self, n: int = 1) -> None:
        """`n` more items (rows, entries, transactions) of the current step are done."""


class Silent:
    """Reports nothing: the default, for tests, scripts and other programs."""

    @contextlib.contextmanager
    def step(self, name: str, total: int | None = None) -> Iterator[None]:
        yield

    def advance(self, n: int = 1) -> None:
        pass


SILENT: Reporter = Silent()

BAR_WIDTH = 20
REDRAW_SECONDS = 0.1


@dataclass
class _Step:
    name: str
    total: int | None
    started: float
    count: int = 0


class LineReporter:
    """Progress on `stream`: a live line when `live` (a terminal), step times when `verbose`."""

    def __init__(self, stream: TextIO, lang: str = "en", *, live: bool = False,
                 verbose: bool = False, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.lang = lang
        self.live = live
        self.verbose = verbose
        self.clock = clock
        self._steps: list[_Step] = []
        self._lock = threading.Lock()
        self._width = 0

    @contextlib.contextmanager
    def step(self, name: str, total: int | None = None) -> Iterator[None]:
        current = _Step(name, total, self.clock())
        self._steps.append(current)
        stop = threading.Event()
        drawer = None
        if self.live:
            self._draw()
            # Reading a large workbook is one long call: a thread keeps the clock moving.
            drawer = threading.Thread(target=self._redraw_until, args=(stop,), daemon=True)
            drawer.start()
        try:
            yield
        finally:
            stop.set()
            if drawer is not None:
                drawer.join()
            self._steps.pop()
            if self.live:
                self._wipe()
            if self.verbose:
                self._write(self._summary(current) + "\n")
            if self.live and self._steps:
                self._draw()

    def advance(self, n: int = 1) -> None:
        if self._steps:
            self._steps[-1].count += n

    # --- drawing ------------------------------------------------------------------------

    def _redraw_until(self, stop: threading.Event) -> None:
        while not stop.wait(REDRAW_SECONDS):
            self._draw()

    def _draw(self) -> None:
        if not self._steps:
            return
        line = self._line(self._steps[-1])
        pad = " " * max(0, self._width - len(line))
        self._width = len(line)
        self._write("\r" + line + pad)

    def _wipe(self) -> None:
        self._write("\r" + " " * self._width + "\r")
        self._width = 0

    def _write(self, text: str) -> None:
        with self._lock:
            self.stream.write(text)
            self.stream.flush()

    def _line(self, s: _Step) -> str:
        elapsed = self.clock() - s.started
        parts = [messages.text(f"step-{s.name}", self.lang)]
        if s.total:
            done = min(s.count, s.total)
            filled = BAR_WIDTH * done // s.total
            parts.append("[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"
                         + f" {self._number(done)}/{self._number(s.total)}")
        elif s.count:
            parts.append(self._number(s.count))
        if s.count and elapsed > 0:
            parts.append(f"{self._number(int(s.count / elapsed))}/s")
        parts.append(f"{self._seconds(elapsed)} s")
        return "  ".join(parts)

    def _summary(self, s: _Step) -> str:
        elapsed = self.clock() - s.started
        label = messages.text(f"step-{s.name}", self.lang)
        if not s.count:
            return messages.text("step-time", self.lang, step=label, seconds=self._seconds(elapsed))
        rate = self._number(int(s.count / elapsed)) if elapsed > 0 else "-"
        return messages.text("step-time-count", self.lang, step=label,
                             seconds=self._seconds(elapsed), count=self._number(s.count), rate=rate)

    def _seconds(self, value: float) -> str:
        text = f"{value:.2f}"
        return text.replace(".", ",") if self.lang == "nl" else text

    def _number(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "nl" else text
