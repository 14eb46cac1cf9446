"""RFC 3161 time stamps of checkpoints (issue 18), through ``rfc3161-client``.

A stamp proves that a checkpoint — the three lines «origin, size, root» of the C2SP
checkpoint body — existed no later than the time the TSA signed. Its message imprint is
SHA-256 of that body, so a witness's co-signature added later does not void it. The
token (the TSA's whole DER reply) is stored next to the checkpoint: ``cp.txt.tsr``.
Nothing here talks to the network: the request bytes go out through ``jobs/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from domain.audit.note import NoteError

POLICIES = ("warn", "require")


def token_path(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + ".tsr")


def request_for(body: str) -> tuple[bytes, int]:
    """DER time-stamp request for a checkpoint body, and its nonce."""
    req = (
        TimestampRequestBuilder()
        .data(body.encode())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    return req.as_bytes(), int(req.nonce or 0)


@dataclass(frozen=True)
class TsaCerts:
    tsa: x509.Certificate | None
    intermediates: list[x509.Certificate]
    roots: list[x509.Certificate]
    source: str


def read_certs(path: Path) -> TsaCerts:
    """The TSA's certificates (PEM): self-signed ones are roots, the timeStamping one the TSA."""
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "не сертификаты PEM"
        raise NoteError(f"{path}: сертификаты службы времени не прочитаны: {why}") from None
    roots = [c for c in certs if c.issuer == c.subject]
    tsa = next((c for c in certs if c not in roots and _stamps(c)), None)
    rest = [c for c in certs if c not in roots and c is not tsa]
    if not roots:
        raise NoteError(f"{path}: нет корневого (самоподписанного) сертификата службы времени")
    return TsaCerts(tsa, rest, roots, str(path))


def _stamps(cert: x509.Certificate) -> bool:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in eku


def _decode(token: bytes, where: str) -> TimeStampResponse:
    try:
        resp = decode_timestamp_response(token)
    except ValueError:
        raise NoteError(f"{where}: метка времени повреждена (не ответ RFC 3161)") from None
    if resp.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise NoteError(f"{where}: служба времени отказала (статус {resp.status})")
    return resp


def accept_reply(reply: bytes, *, body: str, nonce: int, where: str) -> dt.datetime:
    """A fresh reply: granted, for this body and this request's nonce; its time."""
    resp = _decode(reply, where)
    if resp.tst_info.nonce != nonce:
        raise NoteError(f"{where}: ответ службы времени не на этот запрос (другой nonce)")
    _imprint(resp, body, where)
    return resp.tst_info.gen_time


def _imprint(resp: TimeStampResponse, body: str, where: str) -> None:
    if resp.tst_info.message_imprint.message != hashlib.sha256(body.encode()).digest():
        raise NoteError(
            f"{where}: метка времени выдана для других данных — хеш контрольной точки не "
            "совпадает (точка изменена после штампа или метка от другой точки)"
        )


def check_token(token: bytes, *, body: str, certs: TsaCerts, where: str) -> dt.datetime:
    """The time a stored token proves for ``body``, or a Russian error naming why not."""
    resp = _decode(token, where)
    _imprint(resp, body, where)
    builder = VerifierBuilder(roots=list(certs.roots), intermediates=list(certs.intermediates))
    if certs.tsa is not None:
        builder = builder.tsa_certificate(certs.tsa)
    try:
        ok = builder.build().verify_message(resp, body.encode())
    except VerificationError as exc:
        raise NoteError(
            f"{where}: подпись метки времени не подтверждается сертификатами службы "
            f"времени ({certs.source}): {exc}"
        ) from None
    if not ok:
        raise NoteError(f"{where}: подпись метки времени недействительна")
    return resp.tst_info.gen_time


@dataclass
class StampCheck:
    problems: list[str]
    warnings: list[str]
    times: list[str]


def check_stamp_file(
    checkpoint: Path,
    body: str,
    *,
    expected: bool,
    certs: Path | None,
    policy: str,
    into: StampCheck,
) -> None:
    """The token beside a checkpoint file, by policy: missing or unverifiable is a warning
    (``warn``) or a problem (``require``); a token that does not verify is always a problem."""
    where = str(checkpoint)
    strict = into.problems if policy == "require" else into.warnings
    tsr = token_path(checkpoint)
    if not tsr.exists():
        if expected or policy == "require":
            strict.append(f"{where}: нет метки времени ({tsr.name})")
        return
    if certs is None:
        strict.append(
            f"{where}: метка времени не проверена — не заданы сертификаты службы времени "
            "(SOCZAKAZ_AUDIT_TSA_CERTS)"
        )
        return
    try:
        at = check_token(tsr.read_bytes(), body=body, certs=read_certs(certs), where=where)
    except NoteError as exc:
        into.problems.append(exc.message)
        return
    into.times.append(f"{where}: метка времени {at.isoformat()} (не позже этого момента)")
