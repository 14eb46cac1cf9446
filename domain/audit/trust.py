"""Which keys the auditor trusts: C2SP verifier keys from a file (issue 18).

``verify`` never needs a secret. The trusted public keys come, in this order, from the
``--key`` file, ``Settings.audit_trusted_keys`` (``SOCZAKAZ_AUDIT_TRUSTED_KEYS``) or the
public key file written beside the signing key (``audit.key`` → ``audit.pub``). The
signing key itself is read only to sign: either a ``PRIVATE+KEY+…`` file from
``roadmap audit keygen`` or a PEM Ed25519 key (created 0600 when missing).
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.audit.note import NoteError, Signer, Verifier, parse_signer, parse_verifier

DEFAULT_KEY_NAME = "soczakaz"


@dataclass(frozen=True)
class Trust:
    """The trusted verifier keys and where they came from (for messages)."""

    verifiers: tuple[Verifier, ...]
    source: str

    def names(self) -> str:
        return ", ".join(f"«{v.name}» ({v.id.hex()})" for v in self.verifiers) or "нет"

    def by_raw(self, raw: bytes, name: str | None) -> Verifier | None:
        for v in self.verifiers:
            if v.raw == raw and (name is None or v.name == name):
                return v
        return None


NO_TRUST = Trust((), "")


def public_key_path(key_path: Path) -> Path:
    """The public key file beside a signing key (``soczakaz.key`` → ``soczakaz.pub``)."""
    return key_path.with_suffix(".pub")


def read_trusted_keys(path: Path) -> Trust:
    """Verifier keys of a file, one a line (``#`` comments); a Russian error names the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise NoteError(f"{path}: не удалось прочитать доверенные ключи: {why}") from None
    found: list[Verifier] = []
    for n, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                found.append(parse_verifier(line))
            except NoteError as exc:
                raise NoteError(f"{path}, строка {n}: {exc.message}") from None
    if not found:
        raise NoteError(f"{path}: нет ни одного доверенного открытого ключа")
    return Trust(tuple(found), str(path))


def resolve_trust(
    *, override: Path | None, configured: Path | None, key_path: Path | None
) -> Trust:
    """``--key`` file, else the configured file, else the ``.pub`` beside the signing key."""
    for path in (override, configured):
        if path is not None:
            return read_trusted_keys(path)
    if key_path is not None and public_key_path(key_path).exists():
        return read_trusted_keys(public_key_path(key_path))
    return NO_TRUST


def stored_key(text: str) -> tuple[str | None, bytes]:
    """(name, raw public key) of a checkpoint row's key: a verifier text or bare base64."""
    if "+" in text:
        v = parse_verifier(text)
        return v.name, v.raw
    try:
        raw = base64.b64decode(text, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise NoteError("открытый ключ контрольной точки не читается") from None
    return None, raw


def load_signer(path: Path, *, name: str = DEFAULT_KEY_NAME, create: bool = False) -> Signer:
    """The signing key of a file (keygen format or PEM); a PEM key is created if asked."""
    if not path.exists():
        if not create:
            raise NoteError(f"{path}: закрытого ключа нет (создайте: roadmap audit keygen)")
        return _create_pem(path, name)
    text = path.read_bytes()
    if text.startswith(b"PRIVATE+KEY+"):
        return parse_signer(text.decode())
    try:
        key = serialization.load_pem_private_key(text, password=None)
    except (ValueError, TypeError):
        raise NoteError(f"{path}: не закрытый ключ (PEM или «PRIVATE+KEY+…»)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path}: не ключ Ed25519")
    return Signer(name, key)


def _create_pem(path: Path, name: str) -> Signer:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return Signer(name, key)


def write_public_key(signer: Signer, key_path: Path) -> Path:
    """Write the ``.pub`` beside the key once (an existing, different one is kept)."""
    pub = public_key_path(key_path)
    if not pub.exists():
        pub.write_text(signer.verifier().text() + "\n", encoding="utf-8")
    return pub
