"""Content-addressed store of evidence files: ``<root>/ab/cd/<sha256>``.

Files are checked before anything is written: size limit, allowed extension and
matching magic bytes. Writing is atomic (temporary file + rename) and idempotent
(the same content lands on the same path). A file written inside a transaction
that is rolled back is removed again (see :func:`remember_new_file`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

# The file layout lives below evidence and audit (re-exported for existing callers).
from domain.content_store import hash_file as hash_file
from domain.content_store import path_for as path_for
from domain.errors import EvidenceError

# extension -> (content type, magic prefixes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
}


@dataclass(frozen=True)
class CheckedFile:
    sha256: str
    size: int
    name: str
    content_type: str


def check_file(data: bytes, name: str, *, max_bytes: int) -> CheckedFile:
    """Validate a file without writing it; raise EvidenceError naming the problem."""
    clean = Path(name).name
    if not data:
        raise EvidenceError(f"поле file (файл): файл «{clean}» пуст", field="file")
    if len(data) > max_bytes:
        raise EvidenceError(
            f"поле file (файл): файл «{clean}» слишком велик: {len(data)} байт, "
            f"допустимо не более {max_bytes}",
            field="file",
        )
    ext = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    if ext not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        raise EvidenceError(
            f"поле file (файл): тип файла «{clean}» не принимается; допустимы: {allowed}",
            field="file",
        )
    content_type, magics = ALLOWED[ext]
    if not any(data.startswith(m) for m in magics):
        raise EvidenceError(
            f"поле file (файл): содержимое «{clean}» не похоже на файл .{ext} "
            "(сигнатура не совпадает)",
            field="file",
        )
    return CheckedFile(hashlib.sha256(data).hexdigest(), len(data), clean, content_type)


def store(root: Path, data: bytes, checked: CheckedFile) -> tuple[Path, bool]:
    """Write the file under its hash; return (path, created)."""
    target = path_for(root, checked.sha256)
    if target.exists() and hash_file(target) == checked.sha256:
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, True


_KEY = "soczakaz_new_files"


def remember_new_file(session: Session, path: Path) -> None:
    """Remove ``path`` again if the session's transaction is rolled back."""
    pending: list[Path] = session.info.setdefault(_KEY, [])
    if not pending and not session.info.get(_KEY + "_hooked"):
        event.listen(session, "after_rollback", _discard)
        event.listen(session, "after_commit", _forget)
        session.info[_KEY + "_hooked"] = True
    pending.append(path)


def _discard(session: Session) -> None:
    for path in session.info.pop(_KEY, []):
        path.unlink(missing_ok=True)


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
