"""One verdict on a chain for every reader: the CLI ``audit verify`` and the dashboard (issue 18).

The dashboard used to check links and hashes only; ``chain_verdict`` runs the same full
verification as ``roadmap audit verify -m CODE`` (links, hashes, signed heads, evidence and
files), so both say the same thing about the same database.
"""

from __future__ import annotations

from sqlmodel import Session

from domain.audit import log as audit_log
from domain.audit.verify import VerifyReport, verify
from models.settings import Settings, get_settings


def chain_verdict(
    session: Session, *, chain: str, settings: Settings | None = None
) -> VerifyReport:
    cfg = settings or get_settings()
    if chain == audit_log.GLOBAL_CHAIN:
        return audit_log.verify_chain(session, chain=chain)
    return verify(
        session,
        municipality_code=chain,
        evidence_root=cfg.evidence_dir,
        key_path=cfg.audit_signing_key,
    )
