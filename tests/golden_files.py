"""assert_golden: compare output with a file under tests/golden/, byte for byte.

`pytest --update-golden` rewrites the golden files instead (the option is registered in
conftest.py); review the diff before committing it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(path_in_golden_dir: str, actual_bytes: bytes, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / path_in_golden_dir
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual_bytes)
        return
    if not path.exists():
        pytest.fail(f"{path} does not exist; run pytest --update-golden to create it")
    expected = path.read_bytes()
    if actual_bytes != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            actual_bytes.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"golden/{path_in_golden_dir}", tofile="actual", n=1,
        )
        shown = "".join(list(diff)[:60]) or "(only line endings or the BOM differ)"
        pytest.fail(f"output differs from golden/{path_in_golden_dir} "
                    f"(pytest --update-golden rewrites it):\n{shown}", pytrace=False)
