"""A witness (the РМЦ) co-signs checkpoints it has checked (c2sp.org/tlog-cosignature, issue 18).

The witness keeps, per chain, the last checkpoint it cosigned (its *state*: that note with
its own cosignature, so a damaged or swapped state file is noticed). A new checkpoint is
cosigned only when it is signed by a trusted log key and extends the state: same size and
root, or larger with a valid RFC 6962 consistency proof. Anything else — a smaller tree, the
same size with another root, a proof that does not check — is a fork or a rollback, refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.audit.merkle import verify_consistency
from domain.audit.note import (
    Checkpoint,
    NoteError,
    SignedNote,
    Signer,
    Verifier,
    cosign,
    parse_note,
)
from domain.audit.tree import chain_of, open_checkpoint


@dataclass(frozen=True)
class Witnessed:
    note: str  # the checkpoint with the witness's cosignature added
    checkpoint: Checkpoint
    previous: Checkpoint | None


def read_state(state_text: str, signer: Signer, log_keys: list[Verifier], where: str) -> Checkpoint:
    """The checkpoint of the witness's state file, which must carry its own cosignature."""
    try:
        cp = open_checkpoint(state_text, [*log_keys, signer.cosigner()], where=where)
    except NoteError as exc:
        raise NoteError(
            f"{where}: файл состояния свидетеля повреждён или подменён — {exc.message}"
        ) from None
    return cp


def witness(
    note_text: str,
    *,
    log_keys: list[Verifier],
    signer: Signer,
    state: Checkpoint | None,
    proof: list[bytes],
    timestamp: int,
    where: str,
) -> Witnessed:
    logs = [v for v in log_keys if not v.is_witness]
    if not logs:
        raise NoteError("нет открытого ключа журнала (тип 0x01) среди доверенных ключей")
    new = open_checkpoint(note_text, logs, where=where)
    chain = chain_of(new)
    if state is not None:
        _extends(state, new, proof, chain)
    note = parse_note(note_text)
    mine = (signer.name, signer.cosigner().id)
    kept = SignedNote(note.body, [s for s in note.signatures if (s[0], s[1]) != mine])
    return Witnessed(cosign(kept.text(), signer, timestamp), new, state)


def _extends(old: Checkpoint, new: Checkpoint, proof: list[bytes], chain: str) -> None:
    refuse = f"цепочка «{chain}»: РМЦ не заверяет точку из {new.size} записей — "
    if old.origin != new.origin:
        raise NoteError(
            f"файл состояния относится к цепочке «{chain_of(old)}», а точка — к «{chain}»: "
            "для каждой цепочки свой файл состояния"
        )
    if new.size < old.size:
        raise NoteError(
            refuse + f"уже заверена точка из {old.size} записей (откат или усечение журнала)"
        )
    if new.size == old.size:
        if new.root != old.root:
            raise NoteError(refuse + "при том же размере другой корень дерева (развилка)")
        return
    if not proof:
        raise NoteError(
            refuse + f"нужно доказательство согласованности с точкой из {old.size} записей "
            "(roadmap audit consistency … --out, затем --proof)"
        )
    if not verify_consistency(old.size, new.size, old.root, new.root, proof):
        raise NoteError(
            refuse + f"она не продолжает заверенную точку из {old.size} записей "
            "(развилка или переписывание журнала)"
        )
