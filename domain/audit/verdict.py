"""One verdict on a chain for every reader: the CLI ``audit verify`` and the dashboard (issue 18).

``chain_verdict`` runs the same full verification as ``roadmap audit verify -m CODE``
(links, hashes, signed heads checked against the *trusted public keys*, evidence rows
and files), so both say the same thing about the same database. The ``_global`` chain
carries no evidence: links and hashes.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from domain.audit import log as audit_log
from domain.audit.head_stamps import StampPolicy
from domain.audit.trust import Trust, resolve_trust
from domain.audit.verify import VerifyReport, verify, verify_chain
from models.settings import Settings, get_settings


def trust_of(settings: Settings, override: Path | None = None) -> Trust:
    """The trusted keys of this configuration (``--key`` file first when given)."""
    return resolve_trust(
        override=override,
        configured=settings.audit_trusted_keys,
        key_path=settings.audit_signing_key,
    )


def chain_verdict(
    session: Session,
    *,
    chain: str | None,
    settings: Settings | None = None,
    trusted_keys: Path | None = None,
) -> VerifyReport:
    """The full verdict on one chain (``None``: every chain)."""
    cfg = settings or get_settings()
    if chain == audit_log.GLOBAL_CHAIN:
        return verify_chain(session, chain=chain)
    return verify(
        session,
        municipality_code=chain,
        evidence_root=cfg.evidence_dir,
        key_path=cfg.audit_signing_key,
        trust=trust_of(cfg, trusted_keys),
        stamps=stamp_policy(cfg),
    )


def stamp_policy(cfg: Settings) -> StampPolicy:
    return StampPolicy(
        certs=cfg.audit_tsa_certs,
        policy=cfg.audit_tsa_policy,
        expected=bool(cfg.audit_tsa_url or cfg.audit_tsa_certs),
    )
