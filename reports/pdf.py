"""PDF through LibreOffice headless: the DOCX is converted as Writer lays it out.

Each conversion uses its own LibreOffice profile directory
(``-env:UserInstallation``), so parallel runs never share or lock one profile.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from domain.errors import InputError

CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice")
TIMEOUT_SECONDS = 180


def soffice() -> str:
    """Path of the LibreOffice executable, or a Russian error saying how to install it."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        "--format pdf: LibreOffice не установлен (нет программы soffice). Установите "
        "LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer) или "
        "сформируйте отчёт в формате docx"
    )


def docx_to_pdf(docx_bytes: bytes, out: Path) -> Path:
    """Convert DOCX bytes to the PDF file ``out``."""
    exe = soffice()
    with tempfile.TemporaryDirectory(prefix="soczakaz-pdf-") as tmp:
        work = Path(tmp)
        src = work / "report.docx"
        src.write_bytes(docx_bytes)
        profile = (work / "profile").as_uri()
        cmd = [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(src),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise InputError(
                f"--format pdf: LibreOffice не завершил преобразование за {TIMEOUT_SECONDS} с"
            ) from exc
        pdf = work / "report.pdf"
        if done.returncode != 0 or not pdf.is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise InputError(
                "--format pdf: LibreOffice не смог преобразовать отчёт в PDF"
                + (f": {detail[-1]}" if detail else "")
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, out)
    return out


def write_pdf(docx_bytes: bytes, out: Path) -> Path:
    return docx_to_pdf(docx_bytes, out)
