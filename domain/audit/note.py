"""C2SP signed notes, checkpoints and cosignatures (c2sp.org/signed-note, tlog-checkpoint,
tlog-cosignature).

A checkpoint body is three lines: origin, tree size in decimal, base64 root hash. A note is
the body, an empty line and one signature line per signer: ``— <name> <base64(key id ||
signature)>``. The key id is the first four bytes of SHA-256(name || 0x0A || type || public
key), type 0x01 for a note signature (Ed25519 over the body) and 0x04 for a witness's
*cosignature* (c2sp.org/tlog-cosignature: the signature is ``u64 timestamp || Ed25519`` over
``"cosignature/v1\ntime <timestamp>\n" + body``). Verifier keys are written ``<name>+<key id
hex>+<base64(type || public key)>``, signer keys ``PRIVATE+KEY+<name>+<key id hex>+
<base64(type || private key)>``. Signature lines of unknown types are kept and ignored, as
the spec asks. Signatures come from ``cryptography`` (Ed25519); no hand-rolled crypto.
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
ALG_COSIGNATURE = b"\x04"  # c2sp.org/tlog-cosignature, Ed25519
ALGS = (ALG_ED25519, ALG_COSIGNATURE)
COSIGNATURE_HEADER = "cosignature/v1\n"
DASH = "\u2014 "


class NoteError(InputError):
    """A note, checkpoint or key text that cannot be read (message in Russian)."""


def key_id(name: str, public: bytes, alg: bytes = ALG_ED25519) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + alg + public).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{body}".encode()


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"недопустимое имя ключа {name!r}: без пробелов и знака «+»")


@dataclass(frozen=True)
class Verifier:
    name: str
    public: Ed25519PublicKey
    raw: bytes
    alg: bytes = ALG_ED25519  # ALG_COSIGNATURE: a witness's key

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.raw, self.alg)

    @property
    def is_witness(self) -> bool:
        return self.alg == ALG_COSIGNATURE

    def text(self) -> str:
        b64 = base64.b64encode(self.alg + self.raw).decode()
        return f"{self.name}+{self.id.hex()}+{b64}"

    def check(self, body: str, sig: bytes) -> int | None:
        """None when ``sig`` (after the key id) is not this key's; else the cosignature time
        (0 for a plain note signature)."""
        try:
            if self.alg == ALG_COSIGNATURE:
                if len(sig) != 72:
                    return None
                timestamp = int.from_bytes(sig[:8], "big")
                if timestamp >= 1 << 63:
                    return None
                self.public.verify(sig[8:], cosigned_message(body, timestamp))
                return timestamp
            if len(sig) != 64:
                return None
            self.public.verify(sig, body.encode())
            return 0
        except InvalidSignature:
            return None


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey
    alg: bytes = ALG_ED25519  # the type its public key is published with

    def verifier(self) -> Verifier:
        pub = self.private.public_key()
        return Verifier(self.name, pub, pub.public_bytes_raw())

    def cosigner(self) -> Verifier:
        """The key that checks this key's cosignatures (type 0x04)."""
        pub = self.private.public_key()
        return Verifier(self.name, pub, pub.public_bytes_raw(), ALG_COSIGNATURE)

    def public(self) -> Verifier:
        return self.cosigner() if self.alg == ALG_COSIGNATURE else self.verifier()

    def text(self) -> str:
        b64 = base64.b64encode(self.alg + self.private.private_bytes_raw()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.public().id.hex()}+{b64}"

    def sign(self, body: str) -> str:
        sig = self.private.sign(body.encode())
        return f"{DASH}{self.name} {base64.b64encode(self.verifier().id + sig).decode()}\n"

    def cosign(self, body: str, timestamp: int) -> str:
        """A tlog-cosignature/v1 line: key id || u64 timestamp || Ed25519(message)."""
        if not 0 <= timestamp < 1 << 63:
            raise NoteError(f"время косигнатуры вне диапазона: {timestamp}")
        sig = self.private.sign(cosigned_message(body, timestamp))
        raw = self.cosigner().id + timestamp.to_bytes(8, "big") + sig
        return f"{DASH}{self.name} {base64.b64encode(raw).decode()}\n"


def generate(name: str, *, witness: bool = False) -> Signer:
    _check_name(name)
    return Signer(name, Ed25519PrivateKey.generate(), ALG_COSIGNATURE if witness else ALG_ED25519)


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
    if len(raw) != 33 or raw[:1] not in ALGS:
        raise NoteError(f"открытый ключ {name!r}: не ключ Ed25519 (тип 0x01 или 0x04)")
    if key_id(name, raw[1:], raw[:1]).hex() != kid.lower():
        raise NoteError(f"открытый ключ {name!r}: хеш ключа не совпадает")
    return Verifier(name, Ed25519PublicKey.from_public_bytes(raw[1:]), raw[1:], raw[:1])


def parse_signer(text: str) -> Signer:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("закрытый ключ: ожидается «PRIVATE+KEY+имя+хеш+ключ»")
    name, kid, b64 = parts[2:]
    raw = _b64(b64, f"закрытый ключ {name!r}")
    if len(raw) != 33 or raw[:1] not in ALGS:
        raise NoteError(f"закрытый ключ {name!r}: не ключ Ed25519")
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[:1])
    if signer.public().id.hex() != kid.lower():
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

    def checked(self, verifiers: list[Verifier]) -> list[tuple[Verifier, int]]:
        """(key, time) of every trusted key whose signature or cosignature checks."""
        good: list[tuple[Verifier, int]] = []
        for name, kid, sig in self.signatures:
            for v in verifiers:
                if v.name == name and v.id == kid:
                    when = v.check(self.body, sig)
                    if when is not None:
                        good.append((v, when))
        return good

    def verified_by(self, verifiers: list[Verifier]) -> list[str]:
        """Names of trusted keys whose signature (or cosignature) on the body checks."""
        return [v.name for v, _ in self.checked(verifiers)]


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
        if not name or len(raw) < 5:
            raise NoteError(f"подпись {number} ({name}): не подпись (слишком коротка)")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("подписанная заметка: нет ни одной подписи")
    return SignedNote(body, signatures)


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    return cp.body() + "\n" + signer.sign(cp.body())


def cosign(note_text: str, signer: Signer, timestamp: int) -> str:
    """Add a witness's tlog-cosignature/v1 (made at ``timestamp``) to an existing note."""
    note = parse_note(note_text)
    return note_text + signer.cosign(note.body, timestamp)
