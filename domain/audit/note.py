"""C2SP signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

A checkpoint body is three lines: origin, tree size in decimal, base64 root hash. A note is
the body, an empty line and one signature line per signer: ``— <name> <base64(key id ||
Ed25519 signature)>``. The key id is the first four bytes of SHA-256(name || 0x0A || 0x01 ||
public key). Verifier keys are written ``<name>+<key id hex>+<base64(0x01 || public key)>``,
signer keys ``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || private key)>``.
Signatures come from ``cryptography`` (Ed25519); nothing here is hand-rolled crypto.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.errors import InputError

ALG_ED25519 = b"\x01"
DASH = "\u2014 "


class NoteError(InputError):
    """A note, checkpoint or key text that cannot be read (message in Russian)."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ALG_ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"недопустимое имя ключа {name!r}: без пробелов и знака «+»")


@dataclass(frozen=True)
class Verifier:
    name: str
    public: Ed25519PublicKey
    raw: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.raw)

    def text(self) -> str:
        b64 = base64.b64encode(ALG_ED25519 + self.raw).decode()
        return f"{self.name}+{self.id.hex()}+{b64}"


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    def verifier(self) -> Verifier:
        pub = self.private.public_key()
        return Verifier(self.name, pub, pub.public_bytes_raw())

    def text(self) -> str:
        b64 = base64.b64encode(ALG_ED25519 + self.private.private_bytes_raw()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier().id.hex()}+{b64}"

    def sign(self, body: str) -> str:
        sig = self.private.sign(body.encode())
        return f"{DASH}{self.name} {base64.b64encode(self.verifier().id + sig).decode()}\n"


def generate(name: str) -> Signer:
    _check_name(name)
    return Signer(name, Ed25519PrivateKey.generate())


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what}: не base64") from None


def parse_verifier(text: str) -> Verifier:
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("открытый ключ: ожидается «имя+хеш+ключ»")
    name, kid, b64 = parts
    _check_name(name)
    raw = _b64(b64, f"открытый ключ {name!r}")
    if len(raw) != 33 or raw[:1] != ALG_ED25519:
        raise NoteError(f"открытый ключ {name!r}: не ключ Ed25519")
    if key_id(name, raw[1:]).hex() != kid.lower():
        raise NoteError(f"открытый ключ {name!r}: хеш ключа не совпадает")
    return Verifier(name, Ed25519PublicKey.from_public_bytes(raw[1:]), raw[1:])


def parse_signer(text: str) -> Signer:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("закрытый ключ: ожидается «PRIVATE+KEY+имя+хеш+ключ»")
    name, kid, b64 = parts[2:]
    raw = _b64(b64, f"закрытый ключ {name!r}")
    if len(raw) != 33 or raw[:1] != ALG_ED25519:
        raise NoteError(f"закрытый ключ {name!r}: не ключ Ed25519")
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier().id.hex() != kid.lower():
        raise NoteError(f"закрытый ключ {name!r}: хеш ключа не совпадает")
    return signer


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_body(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("контрольная точка: ожидаются строки «источник», «размер», «корень»")
    origin, size_text, root_text = lines[:3]
    if not origin or not size_text.isascii() or not size_text.isdigit():
        raise NoteError(f"контрольная точка, строка 2: размер дерева не число: {size_text!r}")
    if size_text != str(int(size_text)):
        raise NoteError(f"контрольная точка, строка 2: размер с ведущими нулями: {size_text!r}")
    root = _b64(root_text, "контрольная точка, строка 3 (корень)")
    if len(root) != 32:
        raise NoteError("контрольная точка, строка 3: корень не 32 байта SHA-256")
    return Checkpoint(origin, int(size_text), root)


@dataclass(frozen=True)
class SignedNote:
    body: str
    signatures: list[tuple[str, bytes, bytes]]  # (name, key id, signature)

    def text(self) -> str:
        lines = [f"{DASH}{n} {base64.b64encode(k + s).decode()}\n" for n, k, s in self.signatures]
        return self.body + "\n" + "".join(lines)

    def verified_by(self, verifiers: list[Verifier]) -> list[str]:
        """Names of trusted keys whose signature on the body checks."""
        good: list[str] = []
        for name, kid, sig in self.signatures:
            for v in verifiers:
                if v.name == name and v.id == kid:
                    try:
                        v.public.verify(sig, self.body.encode())
                    except InvalidSignature:
                        continue
                    good.append(name)
        return good


def parse_note(text: str) -> SignedNote:
    if "\r" in text or "\x00" in text:
        raise NoteError("подписанная заметка: недопустимые управляющие символы")
    body, sep, sigs = text.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise NoteError("подписанная заметка: нет пустой строки перед подписями")
    body += "\n"
    signatures: list[tuple[str, bytes, bytes]] = []
    for number, line in enumerate(sigs[:-1].split("\n"), start=1):
        if not line.startswith(DASH):
            raise NoteError(f"подпись {number}: строка должна начинаться с «— »")
        name, _, b64 = line[len(DASH) :].partition(" ")
        raw = _b64(b64, f"подпись {number} ({name})")
        if not name or len(raw) != 68:
            raise NoteError(f"подпись {number} ({name}): не подпись Ed25519")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("подписанная заметка: нет ни одной подписи")
    return SignedNote(body, signatures)


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    return cp.body() + "\n" + signer.sign(cp.body())


def cosign(note_text: str, signer: Signer) -> str:
    """Add one more signature (a witness's) to an existing note."""
    note = parse_note(note_text)
    return note_text + signer.sign(note.body)
