"""The output plan: how every command puts files into a folder without losing or
overwriting anything that is not its own.

One plan serves collect, clear, debtors update, check --report and ledger export:

- **Ownership.** Each administration has an identity (`ledger_identity`, the resolved
  ledger path) and a short tag made from it. A temporary file is named
  `.incasso-tmp-<tag>-<kind>-<random>-<name>`: made with `tempfile.mkstemp`
  (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600) in the target folder under a name nobody can
  predict, and written through the descriptor that made it, never by name again. `kind`
  is `run` for files a ledger run commits (collect, clear), `upd`, `rep`, `exp` and `new`
  (template, init) for the others; a sweep removes only its own tag's files of its own kind.
- **One administration at a time.** While a plan writes into a folder it holds
  `.incasso-tmp-output.lock` there (flock); the lock file records the administrations
  (identity, ledger id, creditor, settings file) whose runs use the folder, and goes once
  nothing is left unfinished. The folder remembers which administration wrote which final
  file in `.incasso-outputs.json` (`Administration`, `record_files`), written atomically
  under the lock by every ledger run (collect, clear) before its files get their names.
  Under the lock, another administration's temporary files, and for a ledger run another
  administration's recorded outputs still in the folder, stop the run before anything is
  written (exit 3, naming both); an existing final name of its own or of no one stops it
  too (`output-exists`).
- **Nothing replaced that it did not make.** A final name is taken with `os.link` (fails
  when the name exists, also as a symlink) and the temporary name then removed; only the
  files a user names to be replaced (`debtors update -o`, `--log`, `check --report`)
  are renamed over what is there, keeping its mode. `refuse_overwrites` keeps any output
  off the inputs, the ledger (and its -wal, -shm, lock), the settings and the run's other
  outputs, by resolved path and by inode.
- **Modes.** A new file is 0600; a replaced one keeps its mode; a copy of an input (the
  updated debtors sheet) gets the input's mode without the world's bits.

openpyxl writes each worksheet to a scratch file first; `scratch_target` tells
formats.workbook where: beside the output, under the plan's own name, so a killed run's
scratch is swept by the next one instead of staying in the system's temporary folder.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.runtime import faults
from incasso_sheets.runtime.durable import fsync_dirs

TEMP_PREFIX = ".incasso-tmp-"
LOCK_NAME = ".incasso-tmp-output.lock"  # hidden like the temporary files; gone after a clean run
RECORD_NAME = ".incasso-outputs.json"  # hidden; which administration wrote which final file
RECORD_MAX_BYTES = 16 << 20  # far beyond any folder's record; a larger file is not one
RUN, UPDATE, REPORT, EXPORT, TEMPLATE = "run", "upd", "rep", "exp", "new"
KINDS = (RUN, UPDATE, REPORT, EXPORT, TEMPLATE)
NEW_FILE_MODE = 0o600
NAME_KEPT = 80  # characters of the final name kept in a temporary name (NAME_MAX is 255)
_LINK_UNSUPPORTED = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK)


def ledger_identity(ledger: Path) -> str:
    """Whose files these are: the resolved path of the administration's ledger. Not the
    ledger id alone: a copied ledger keeps the id at another path, and is another
    administration (another working folder, its own runs and counters)."""
    return str(Path(ledger).resolve())


@dataclass(frozen=True)
class Administration:
    """An administration as an output folder records it. `identity` (`ledger_identity`)
    decides whose a file is; the rest names it to the user. A plan of `debtors update`,
    `check --report` or `ledger export` knows only the identity."""
    identity: str
    ledger_id: str = ""
    creditor_id: str = ""
    creditor_name: str = ""
    settings: str = ""

    def describe(self) -> str:
        """`Club Alfa (NL98ZZZ999999999999, /a/incasso.toml)`; the identity when that is all."""
        if not (self.creditor_name or self.creditor_id or self.settings):
            return self.identity
        details = ", ".join(x for x in (self.creditor_id, self.settings or self.identity) if x)
        return f"{self.creditor_name} ({details})" if self.creditor_name else details

    def fields(self) -> dict[str, str]:
        return {"ledger_id": self.ledger_id, "creditor_id": self.creditor_id,
                "creditor_name": self.creditor_name, "settings": self.settings}

    def merged(self, known: dict) -> Administration:
        """This administration, with what `known` (a record) says where it says nothing."""
        fields = {k: v or str(known.get(k) or "") for k, v in self.fields().items()}
        return Administration(self.identity, **fields)


def as_administration(owner: str | Administration) -> Administration:
    return owner if isinstance(owner, Administration) else Administration(owner)


def owner_tag(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]


def temp_owner(name: str) -> tuple[str, str] | None:
    """(tag, kind) of a temporary name this module made; None for any other name (also for
    the temporary names of older versions, which this plan neither sweeps nor minds)."""
    if not name.startswith(TEMP_PREFIX):
        return None
    tag, _, rest = name[len(TEMP_PREFIX):].partition("-")
    kind = rest.partition("-")[0]
    if len(tag) != 12 or not all(c in "0123456789abcdef" for c in tag) or kind not in KINDS:
        return None
    return tag, kind


@dataclass(frozen=True)
class PlannedFile:
    """A final name and the temporary file that becomes it. `inode` is (st_dev, st_ino) of
    the temporary file as made; `replace`: the final name may be replaced; `record`: the
    administration the folder's record names as the final file's writer (ledger runs)."""
    temp: Path
    final: Path
    inode: tuple[int, int] | None = None
    replace: bool = False
    record: Administration | None = None


# --- where openpyxl's scratch files go --------------------------------------------------------

_SCRATCH: contextvars.ContextVar[tuple[Path, str, list[str]] | None] = contextvars.ContextVar(
    "incasso_scratch", default=None)


def scratch_target() -> tuple[Path, str, list[str]] | None:
    """(folder, name prefix, list of scratch files made) while a plan fills a file."""
    return _SCRATCH.get()


@contextlib.contextmanager
def _scratch_in(folder: Path, prefix: str) -> Iterator[None]:
    made: list[str] = []
    token = _SCRATCH.set((folder, prefix, made))
    try:
        yield
    finally:
        _SCRATCH.reset(token)
        for name in made:
            with contextlib.suppress(OSError):
                os.unlink(name)


# --- the plan ---------------------------------------------------------------------------------

class OutputPlan:
    """The files one command writes; use as a context manager.

    `plan(final)` claims the folder (lock, check, sweep) and makes the temporary file;
    `fill(planned, writer)` writes it; `commit(files)` puts them in place. Leaving the
    block with an error deletes the temporary files, unless `hand_over` gave them to the
    ledger's run protocol (ledger.commit_run deletes them when its transaction fails and
    keeps them for recovery once it has committed). Leaving the block releases the locks.
    """

    def __init__(self, owner: str | Administration, kind: str, *, wait_seconds: float | None = None):
        self.owner = as_administration(owner)
        self.identity = self.owner.identity
        self.tag = owner_tag(self.identity)
        self.kind = kind
        self.files: list[PlannedFile] = []
        self.swept: list[Path] = []
        self._wait = wait_seconds
        self._locks: dict[Path, int] = {}
        self._handed_over = False

    def __enter__(self) -> OutputPlan:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and not self._handed_over:
                for f in self.files:
                    _remove(f.temp)
        finally:
            for folder, fd in self._locks.items():
                release_folder(folder, fd)
            self._locks.clear()

    @property
    def prefix(self) -> str:
        return f"{TEMP_PREFIX}{self.tag}-{self.kind}-"

    def claim(self, folder: Path) -> Path:
        """Lock `folder` (made when missing) for this plan; refuse another administration's
        unfinished files; sweep this owner's leftovers of this kind. Returns the folder."""
        folder = Path(folder).absolute()
        folder.mkdir(parents=True, exist_ok=True)
        key = folder.resolve()  # one lock per folder, however it is spelled
        if key in self._locks:
            return folder
        self._locks[key] = hold_folder(folder, self.owner, self._wait)
        others, mine = _temp_files(folder, self.tag, self.kind)
        if others:
            raise CannotContinue("output-folder-other-owner", folder=folder, path=others[0][0],
                                 other=_owner_name(folder, others[0][1]), ours=self.owner.describe())
        if self.kind == RUN:
            refuse_other_outputs(folder, self.owner)
        for path in mine:
            _remove(path)
        self.swept += mine
        return folder

    def plan(self, final: Path, *, replace: bool = False, like: Path | None = None,
             mode: int | None = None) -> PlannedFile:
        """A new temporary file for `final`; `final` may exist only when `replace`. Its mode:
        that of the file it replaces, else `like`'s without the world's bits, else `mode`
        (default 0600)."""
        final = Path(final)
        folder = self.claim(final.parent)
        if os.path.lexists(final) and not replace:
            raise CannotContinue("output-exists", path=final)
        mode = _mode_for(final if replace else None, like, mode)
        fd, name = tempfile.mkstemp(prefix=self.prefix, suffix="-" + final.name[-NAME_KEPT:], dir=folder)
        try:
            os.fchmod(fd, mode)
            info = os.fstat(fd)
        finally:
            os.close(fd)
        record = self.owner if self.kind == RUN else None
        planned = PlannedFile(Path(name), final, (info.st_dev, info.st_ino), replace, record)
        self.files.append(planned)
        return planned

    def fill(self, planned: PlannedFile, writer: Callable[[BinaryIO], None]) -> None:
        """Write `planned`'s temporary file through `writer`, then fsync it. openpyxl's
        scratch files go beside it, under this plan's name, and are removed afterwards."""
        with open_planned(planned) as out, _scratch_in(planned.temp.parent, self.prefix):
            writer(out)
            out.flush()
            os.fsync(out.fileno())

    def write(self, final: Path, writer: Callable[[BinaryIO], None], **how) -> PlannedFile:
        planned = self.plan(final, **how)
        self.fill(planned, writer)
        return planned

    def hand_over(self) -> None:
        """From here the ledger's run protocol owns the temporary files."""
        self._handed_over = True

    def commit(self, files: Iterable[PlannedFile] | None = None) -> None:
        """Put `files` (default: all, in plan order) in place, then sync their folders."""
        commit_files(self.files if files is None else list(files))


@contextlib.contextmanager
def open_planned(planned: PlannedFile) -> Iterator[BinaryIO]:
    """The temporary file of `planned`, opened for writing without following a link, and
    only when it is still the file the plan made."""
    fd = os.open(planned.temp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    info = os.fstat(fd)
    if planned.inode is not None and (info.st_dev, info.st_ino) != planned.inode:
        os.close(fd)
        raise CannotContinue("output-temp-changed", path=planned.temp)
    with os.fdopen(fd, "wb") as out:
        yield out


def check_free(files: Iterable[PlannedFile]) -> None:
    """Before a commit: every final name that may not be replaced is still free."""
    for f in files:
        if not f.replace and os.path.lexists(f.final):
            raise CannotContinue("output-exists", path=f.final)


def commit_files(files: list[PlannedFile]) -> None:
    """Record the files a ledger run writes (`record_files`), then put each in place."""
    record_files(files)
    for f in files:
        put_in_place(f)
        faults.point("between-renames")
    fsync_dirs(f.final.parent for f in files)


def put_in_place(f: PlannedFile) -> bool:
    """Give the temporary file its final name; False when there was nothing left to do (a
    recovery after the name was taken). Never replaces a file unless `f.replace`."""
    try:
        info = os.lstat(f.temp)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or (f.inode is not None and (info.st_dev, info.st_ino) != f.inode):
        raise CannotContinue("output-temp-changed", path=f.temp)
    if f.replace:
        os.replace(f.temp, f.final)
        return True
    try:
        os.link(f.temp, f.final, follow_symlinks=False)
    except FileExistsError:
        if _same_inode(f.final, info):  # a run stopped between link and unlink
            os.unlink(f.temp)
            return True
        raise CannotContinue("output-exists", path=f.final) from None
    except OSError as exc:
        if exc.errno not in _LINK_UNSUPPORTED:
            raise
        # A file system without hard links: checked and renamed under the folder's lock,
        # which every incasso run writing here holds.
        if os.path.lexists(f.final):
            raise CannotContinue("output-exists", path=f.final) from exc
        os.rename(f.temp, f.final)
        return True
    os.unlink(f.temp)
    return True


def _same_inode(path: Path, info: os.stat_result) -> bool:
    try:
        other = os.lstat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def _mode_for(replaced: Path | None, like: Path | None, default: int | None = None) -> int:
    if replaced is not None:
        with contextlib.suppress(OSError):
            return stat.S_IMODE(os.stat(replaced).st_mode)
    if like is not None:
        with contextlib.suppress(OSError):
            return stat.S_IMODE(os.stat(like).st_mode) & ~0o007 | 0o600
    return NEW_FILE_MODE if default is None else default


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _temp_files(folder: Path, tag: str, kind: str) -> tuple[list[tuple[Path, str]], list[Path]]:
    """Temporary files in `folder`: (another owner's with its tag, this owner's of `kind`)."""
    others: list[tuple[Path, str]] = []
    mine: list[Path] = []
    for path in sorted(folder.iterdir()):
        owner = temp_owner(path.name)
        if owner is None:
            continue
        if owner[0] != tag:
            others.append((path, owner[0]))
        elif owner[1] == kind:
            mine.append(path)
    return others, mine


# --- the folder's lock ------------------------------------------------------------------------

def hold_folder(folder: Path, owner: str | Administration, wait_seconds: float | None = None) -> int:
    """Take `folder`'s lock (waiting `wait_seconds`, default ledger.lock_wait()), and
    record `owner` in it (identity, ledger id, creditor, settings) as the holder and as
    one of the folder's administrations. The descriptor is the lock: closing it releases it."""
    owner = as_administration(owner)
    if wait_seconds is None:
        from incasso_sheets.ledger.store import lock_wait

        wait_seconds = lock_wait()
    path = Path(folder) / LOCK_NAME
    deadline = time.monotonic() + wait_seconds
    while True:
        fd = _open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            if time.monotonic() >= deadline:
                holder = _read_record(fd).get("holder") or "?"
                os.close(fd)
                raise CannotContinue("output-folder-busy", folder=folder, other=holder, ours=owner.describe(),
                                     seconds=f"{wait_seconds:g}") from exc
            os.close(fd)
            time.sleep(0.1)
            continue
        if _same_inode(path, os.fstat(fd)):
            break
        os.close(fd)  # the holder before removed the file: lock the one now at that name
    record = _read_record(fd)
    owners = record.get("owners") if isinstance(record.get("owners"), dict) else {}
    owners[owner_tag(owner.identity)] = {"identity": owner.identity, **owner.fields()}
    data = json.dumps({"holder": owner.describe(), "pid": os.getpid(), "owners": owners},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    return fd


def release_folder(folder: Path, fd: int) -> None:
    """Release a folder's lock. The lock file goes too when no temporary file is left in
    the folder; otherwise it stays, to name the administration the files belong to."""
    try:
        path = Path(folder) / LOCK_NAME
        leftovers = any(temp_owner(p.name) for p in Path(folder).iterdir())
        if not leftovers and _same_inode(path, os.fstat(fd)):
            path.unlink()
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_lock(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise CannotContinue("output-lock-unusable", path=path, reason=exc.strerror) from exc


def _read_record(fd: int) -> dict:
    try:
        data = os.pread(fd, 1 << 20, 0)
        record = json.loads(data.decode("utf-8")) if data else {}
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _owner_name(folder: Path, tag: str) -> str:
    """The administration a tag stands for, as the folder's lock file recorded it."""
    try:
        fd = os.open(Path(folder) / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return tag
    try:
        owners = _read_record(fd).get("owners")
    finally:
        os.close(fd)
    found = owners.get(tag, tag) if isinstance(owners, dict) else tag
    if isinstance(found, dict) and isinstance(found.get("identity"), str):  # older versions: the identity
        return Administration(found["identity"]).merged(found).describe()
    return found if isinstance(found, str) else tag


@contextlib.contextmanager
def folders_held(owner: str | Administration, folders: Iterable[Path]) -> Iterator[None]:
    """Hold the locks of `folders` (existing ones, in a fixed order) while the body runs."""
    held = []
    try:
        for folder in sorted({Path(f).resolve() for f in folders}):
            if folder.is_dir():
                held.append((folder, hold_folder(folder, owner)))
        yield
    finally:
        for folder, fd in held:
            release_folder(folder, fd)


# --- the folder's record: who wrote which final file --------------------------------------------

def read_record(folder: Path) -> dict[str, dict]:
    """`folder`'s record: identity -> {ledger_id, creditor_id, creditor_name, settings,
    files, folder (where this folder was when the entry was written)}. Empty when there is none; a record that is a link, not a regular file or not
    one of ours stops the run (`output-record-unusable`): its administrations unknown, a
    run could not tell whose the files are."""
    path = Path(folder) / RECORD_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CannotContinue("output-record-unusable", path=path, reason=exc.strerror) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > RECORD_MAX_BYTES:
            raise CannotContinue("output-record-unusable", path=path, reason="not a regular file, or over 16 MB")
        data = os.read(fd, RECORD_MAX_BYTES + 1)
    finally:
        os.close(fd)
    try:
        administrations = json.loads(data.decode("utf-8"))["administrations"]
        if not all(isinstance(entry, dict) and isinstance(entry.get("files"), list)
                   and all(isinstance(n, str) and n == Path(n).name for n in entry["files"])
                   for entry in administrations.values()):
            raise ValueError(path)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CannotContinue("output-record-unusable", path=path, reason="not a record of incasso-sheets") from exc
    return administrations


def refuse_other_outputs(folder: Path, owner: Administration) -> None:
    """Stop (exit 3, naming both) when `folder` still holds a file another administration's
    run wrote: an output folder belongs to one administration at a time. A copy of this
    ledger (the same id at another path) is another administration, named as a copy."""
    for identity, entry in sorted(read_record(folder).items()):
        present = [n for n in entry["files"] if os.path.lexists(Path(folder) / n)]
        if _is_own(folder, identity, entry, owner) or not present:
            continue
        other = Administration(identity).merged(entry)
        copy = bool(other.ledger_id) and other.ledger_id == owner.ledger_id
        raise CannotContinue("output-folder-ledger-copy" if copy else "output-folder-other-administration",
                             folder=folder, path=Path(folder) / present[0], other=other.describe(),
                             ours=owner.describe())


def _is_own(folder: Path, identity: str, entry: dict, owner: Administration) -> bool:
    """Whether a record's entry is `owner`'s: its identity, or its ledger (the same id)
    under another path that is no copy beside it: moved (nothing left where it was), or
    moved or copied together with this folder (the ledger lies where it lay, seen from
    the folder: an administration folder with its out/ inside, restored or renamed)."""
    if identity == owner.identity:
        return True
    if not owner.ledger_id or entry.get("ledger_id") != owner.ledger_id:
        return False
    if not os.path.lexists(identity):
        return True
    then = entry.get("folder")
    return isinstance(then, str) and (os.path.relpath(identity, then)
                                      == os.path.relpath(owner.identity, Path(folder).resolve()))


def record_files(files: Iterable[PlannedFile]) -> None:
    """Add the final names of `files` that carry a `record` to their folder's record, before
    they are put in place (the caller holds the folders' locks). A crash after this leaves
    names recorded that do not exist yet: they count only once they do."""
    by_folder: dict[tuple[Path, Administration], list[str]] = {}
    for f in files:
        if f.record is not None:
            by_folder.setdefault((f.final.parent.absolute(), f.record), []).append(f.final.name)
    for (folder, owner), names in by_folder.items():
        if folder.is_dir():  # a recovery whose folder was removed has nothing to put there
            _write_record(folder, owner, names)


def _write_record(folder: Path, owner: Administration, names: list[str]) -> None:
    """The record with `names` added to `owner`'s files, written to a temporary file of the
    owner's `run` kind (swept after a crash) and renamed over the record. Names of files
    that are gone are dropped, and with them administrations that have nothing left here."""
    record: dict[str, dict] = {}
    here = str(folder.resolve())
    for identity, entry in read_record(folder).items():
        files = [n for n in entry["files"] if os.path.lexists(folder / n)]
        if _is_own(folder, identity, entry, owner):
            owner = owner.merged(entry) if identity == owner.identity else owner
            names = files + names
        elif files:
            record[identity] = {**Administration(identity).merged(entry).fields(), "files": files,
                                "folder": entry.get("folder", here)}
    record[owner.identity] = {**owner.fields(), "files": sorted(set(names)), "folder": here}
    data = json.dumps({"administrations": record}, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{owner_tag(owner.identity)}-{RUN}-",
                                suffix="-" + RECORD_NAME, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            made = os.fstat(out.fileno())
        if not _same_inode(Path(temp), made):  # swapped for something else (a link) meanwhile
            raise CannotContinue("output-temp-changed", path=temp)
        os.replace(temp, folder / RECORD_NAME)
    except BaseException:
        _remove(Path(temp))
        raise


# --- outputs that would overwrite what they did not make --------------------------------------

def administration_files(settings: Path | None, ledger_name: str = "incasso.db") -> list[tuple[str, Path]]:
    """The settings file, the ledger beside it (beside the real file and beside a link to
    it) and the ledger's -wal, -shm and lock, as (role, path) for `refuse_overwrites`."""
    found: list[tuple[str, Path]] = []
    if settings is None:
        return found
    settings = Path(settings)
    found.append(("word-file-settings", settings))
    for ledger in dict.fromkeys([settings.with_name(ledger_name), settings.resolve().with_name(ledger_name)]):
        found += [("word-file-ledger", ledger), ("word-file-ledger", Path(f"{ledger}-wal")),
                  ("word-file-ledger", Path(f"{ledger}-shm")), ("word-file-ledger", Path(f"{ledger}.lock"))]
    return found


def refuse_overwrites(outputs: list[tuple[str, Path]], protected: list[tuple[str, Path]]) -> None:
    """Stop (exit 3) when an output is a protected file or another output: the same
    resolved path, or the same file (inode) under another name or through a hard link."""
    seen: list[tuple[str, Path, tuple]] = [(role, Path(path), _keys(Path(path))) for role, path in protected]
    for role, path in outputs:
        path = Path(path)
        keys = _keys(path)
        for other_role, other, other_keys in seen:
            if keys & other_keys:
                raise CannotContinue("output-overwrites", path=path, role=role, other=other,
                                     other_role=other_role)
        seen.append((role, path, keys))


def _keys(path: Path) -> set:
    keys: set = {("path", str(path.resolve()))}
    with contextlib.suppress(OSError):
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode):
            keys.add(("inode", info.st_dev, info.st_ino))
    return keys
