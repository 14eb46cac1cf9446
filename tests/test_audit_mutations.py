"""Mutation corpus: every way we could think of to alter the log or the evidence.

Each case tampers with a real database (both backends) and real files *as an
attacker with DBA rights would*: the append-only triggers are bypassed first
(PostgreSQL: ``SET LOCAL session_replication_role = replica``, which only a
superuser may do; SQLite: dropping the triggers). That is exactly why signed
checkpoints exist: without them a consistent rewrite of a chain would pass.
`verify` must report every case; the last test prints the detection figure.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from domain.audit.checkpoint import _message, heads_file, public_key_text, sign_heads
from domain.audit.log import entry_hash
from domain.audit.note import NoteError, generate
from domain.audit.tree import check_proof, check_since, make_checkpoint, open_checkpoint, prove
from domain.audit.verify import VerifyReport, verify
from domain.evidence.store import path_for
from models.db import session_scope
from models.settings import Settings
from tests import audit_attacks as attacks
from tests.evidence_helpers import NOW, build_world


@dataclass
class Ctx:
    conn: Connection
    settings: Settings
    dialect: str

    def rows(self, chain: str = "krylovsky") -> list[Any]:
        return list(
            self.conn.execute(
                text(
                    "SELECT id, chain, seq, at, actor, action, entity, payload, prev_hash, hash "
                    "FROM auditentry WHERE chain = :c ORDER BY seq"
                ),
                {"c": chain},
            )
        )

    def set(self, row_id: int, **values: Any) -> None:
        cols = ", ".join(f"{k} = :{k}" for k in values)
        self.conn.execute(
            text(f"UPDATE auditentry SET {cols} WHERE id = :id"), {**values, "id": row_id}
        )

    def rehash_from(self, chain: str, seq: int) -> None:
        """Recompute hashes from ``seq`` on, as a careful attacker would."""
        rows = self.rows(chain)
        prev = rows[seq - 2].hash if seq > 1 else "0" * 64
        for r in rows[seq - 1 :]:
            h = entry_hash(
                prev,
                chain=r.chain,
                seq=r.seq,
                at=_aware(r.at),
                actor=r.actor,
                action=r.action,
                entity=r.entity,
                payload_text=r.payload,
            )
            self.set(r.id, prev_hash=prev, hash=h)
            prev = h

    def evidence_file(self, evidence_id: int) -> Path:
        sha = self.conn.execute(
            text("SELECT file_sha256 FROM evidence WHERE id = :i"), {"i": evidence_id}
        ).scalar_one()
        p = path_for(self.settings.evidence_dir, sha)
        os.chmod(p, 0o644)
        return p

    def truncate(self, table: str) -> None:
        stmt = f"TRUNCATE {table}" if self.dialect == "postgresql" else f"DELETE FROM {table}"
        self.conn.execute(text(stmt))


def _aware(at: Any) -> Any:
    import datetime as dt

    if isinstance(at, str):  # raw SQLite text
        at = dt.datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _edit_payload(c: Ctx, seq: int, old: str, new: str) -> None:
    r = c.rows()[seq - 1]
    assert old in r.payload
    c.set(r.id, payload=r.payload.replace(old, new, 1))


def _swap_payloads(c: Ctx) -> None:
    r = c.rows()
    c.set(r[0].id, payload=r[2].payload)
    c.set(r[2].id, payload=r[0].payload)


def _swap_rows(c: Ctx) -> None:
    r = c.rows()
    c.set(r[1].id, seq=-1)
    c.set(r[2].id, seq=2)
    c.set(r[1].id, seq=3)


def _insert(c: Ctx, *, seq: int, prev: str, hash_: str, chain: str = "krylovsky") -> None:
    at = NOW.replace(tzinfo=None) if c.dialect == "sqlite" else NOW
    c.conn.execute(
        text(
            "INSERT INTO auditentry (chain, municipality_id, seq, at, actor, action, entity, "
            "payload, prev_hash, hash) VALUES (:c, NULL, :s, :at, 'Иванова А.П.', "
            "'settings.changed', 'settings', '{}', :p, :h)"
        ),
        {"c": chain, "s": seq, "at": at, "p": prev, "h": hash_},
    )


def _forge_tail(c: Ctx) -> None:
    last = c.rows()[-1]
    _insert(c, seq=last.seq + 1, prev=last.hash, hash_=last.hash)  # hash not recomputable


def _forge_middle(c: Ctx) -> None:
    rows = c.rows()
    for r in reversed(rows[2:]):  # make room at seq 3 (UNIQUE(chain, seq))
        c.set(r.id, seq=r.seq + 1)
    h = entry_hash(
        rows[1].hash,
        chain="krylovsky",
        seq=3,
        at=NOW,
        actor="Иванова А.П.",
        action="settings.changed",
        entity="settings",
        payload_text="{}",
    )
    _insert(c, seq=3, prev=rows[1].hash, hash_=h)


def _rehash_one(c: Ctx) -> None:
    _edit_payload(c, 1, "№85/1", "№85/2")
    r = c.rows()[0]
    c.set(
        r.id,
        hash=entry_hash(
            r.prev_hash,
            chain=r.chain,
            seq=r.seq,
            at=_aware(r.at),
            actor=r.actor,
            action=r.action,
            entity=r.entity,
            payload_text=r.payload,
        ),
    )


def _rewrite_chain(c: Ctx) -> None:
    _edit_payload(c, 1, "№85/1", "№85/2")
    c.rehash_from("krylovsky", 1)


def _rewrite_and_drop_checkpoints(c: Ctx) -> None:
    _rewrite_chain(c)
    c.truncate("auditcheckpoint")


def _rewrite_and_resign_with_own_key(c: Ctx) -> None:
    _rewrite_chain(c)
    mallory = Ed25519PrivateKey.generate()
    for cp in list(c.conn.execute(text("SELECT id, chain, seq, at FROM auditcheckpoint"))):
        head = c.rows(cp.chain)[cp.seq - 1].hash
        sig = mallory.sign(_message(cp.chain, cp.seq, head, _aware(cp.at)))
        c.conn.execute(
            text(
                "UPDATE auditcheckpoint SET hash = :h, public_key = :k, "
                "signature = :s WHERE id = :i"
            ),
            {
                "h": head,
                "k": public_key_text(mallory.public_key()),
                "s": base64.b64encode(sig).decode(),
                "i": cp.id,
            },
        )


def _rewrite_everything_incl_heads_file(c: Ctx) -> None:
    """Rewrite the chain, re-sign with an own key in the DB *and* in the heads file."""
    _rewrite_and_resign_with_own_key(c)
    hf = heads_file(c.settings.audit_signing_key)
    lines = []
    for cp in c.conn.execute(
        text("SELECT chain, seq, hash, at, public_key, signature FROM auditcheckpoint")
    ):
        from domain.audit.log import format_at

        lines.append(
            json.dumps(
                {
                    "chain": cp.chain,
                    "seq": cp.seq,
                    "hash": cp.hash,
                    "at": format_at(_aware(cp.at)),
                    "public_key": cp.public_key,
                    "signature": cp.signature,
                }
            )
        )
    hf.write_text("\n".join(lines) + "\n")


def _forged_checkpoint_signature(c: Ctx) -> None:
    c.conn.execute(text("UPDATE auditcheckpoint SET seq = seq - 1 WHERE chain = 'krylovsky'"))


def _flip_file_byte(c: Ctx) -> None:
    p = c.evidence_file(1)
    data = bytearray(p.read_bytes())
    data[10] ^= 0x01
    p.write_bytes(bytes(data))


def _evidence_row(c: Ctx, **values: Any) -> None:
    cols = ", ".join(f"{k} = :{k}" for k in values)
    c.conn.execute(text(f"UPDATE evidence SET {cols} WHERE id = 1"), values)


def _change_data(c: Ctx) -> None:
    raw = c.conn.execute(text("SELECT data FROM evidence WHERE id = 4")).scalar_one()
    data = json.loads(raw) if isinstance(raw, str) else dict(raw)
    data["participants"] = 555
    c.conn.execute(text("UPDATE evidence SET data = :d WHERE id = 4"), {"d": json.dumps(data)})


def _swap_file(c: Ctx) -> None:
    other = c.conn.execute(text("SELECT file_sha256 FROM evidence WHERE id = 2")).scalar_one()
    _evidence_row(c, file_sha256=other)


def _forge_evidence_row(c: Ctx) -> None:
    c.conn.execute(
        text(
            "INSERT INTO evidence (step_id, municipality_id, kind, act_type, act_number, data, "
            "submitted_at, submitted_by) SELECT step_id, municipality_id, kind, act_type, '№999', "
            "data, submitted_at, submitted_by FROM evidence WHERE id = 1"
        )
    )


def _truncate_log_and_checkpoints(c: Ctx) -> None:
    c.truncate("auditentry")
    c.truncate("auditcheckpoint")


# A mutation's return value (a CursorResult, a byte count...) is discarded.
MUTATIONS: dict[str, Callable[[Ctx], object]] = {
    "payload: one byte changed": lambda c: _edit_payload(c, 1, "№85/1", "№85/2"),
    "payload: equivalent JSON, one space added": lambda c: _edit_payload(c, 2, ":", ": "),
    "actor changed": lambda c: c.set(c.rows()[1].id, actor="Мошенников"),
    "time changed by 1 s": lambda c: c.set(c.rows()[1].id, at=_shift(c, c.rows()[1].at)),
    "action changed": lambda c: c.set(c.rows()[3].id, action="step.completed"),
    "entity changed": lambda c: c.set(c.rows()[3].id, entity="step:999"),
    "prev_hash changed": lambda c: c.set(c.rows()[2].id, prev_hash="f" * 64),
    "hash column changed": lambda c: c.set(c.rows()[4].id, hash="e" * 64),
    "row deleted (first)": lambda c: _delete(c, 0),
    "row deleted (middle)": lambda c: _delete(c, 2),
    "row deleted (last)": lambda c: _delete(c, -1),
    "two rows' payloads swapped": _swap_payloads,
    "two rows swapped (seq)": _swap_rows,
    "row moved to another chain": lambda c: c.set(c.rows()[4].id, chain="other-mo", seq=2),
    "forged row appended with a copied hash": _forge_tail,
    "forged row inserted in the middle": _forge_middle,
    "tampered row re-hashed, successors not": _rehash_one,
    "whole chain rewritten consistently": _rewrite_chain,
    "chain rewritten + checkpoints truncated": _rewrite_and_drop_checkpoints,
    "chain rewritten + re-signed with own key": _rewrite_and_resign_with_own_key,
    "chain rewritten + DB and heads file re-signed": _rewrite_everything_incl_heads_file,
    "checkpoint row altered": _forged_checkpoint_signature,
    "whole chain of one municipality deleted": lambda c: c.conn.execute(
        text("DELETE FROM auditentry WHERE chain = 'other-mo'")
    ),
    "log truncated": lambda c: c.truncate("auditentry"),
    "log and checkpoints truncated": _truncate_log_and_checkpoints,
    "evidence file: one byte changed": _flip_file_byte,
    "evidence file deleted": lambda c: c.evidence_file(1).unlink(),
    "evidence file replaced by another valid file": lambda c: c.evidence_file(1).write_bytes(
        b"%PDF-1.4 forged\n"
    ),
    "evidence row: act number changed": lambda c: _evidence_row(c, act_number="№1"),
    "evidence row: act date changed": lambda c: _evidence_row(c, act_date="2025-01-09"),
    "evidence row: pointed at another file": _swap_file,
    "evidence row inserted bypassing the log": _forge_evidence_row,
    "step marked done without evidence": lambda c: c.conn.execute(
        text("UPDATE step SET status = 'done' WHERE key = 'report'")
    ),
    "completed step set back to planned": lambda c: c.conn.execute(
        text("UPDATE step SET status = 'planned' WHERE key = 'meeting'")
    ),
    "evidence row deleted": lambda c: c.conn.execute(text("DELETE FROM evidence WHERE id = 4")),
    "evidence row: recipient changed": lambda c: c.conn.execute(
        text("UPDATE evidence SET recipient = 'Прокуратура' WHERE id = 3")
    ),
    "evidence row: typed data (participants) changed": _change_data,
}


def _shift(c: Ctx, at: Any) -> Any:
    import datetime as dt

    shifted = _aware(at) + dt.timedelta(seconds=1)
    return shifted.replace(tzinfo=None) if c.dialect == "sqlite" else shifted


def _delete(c: Ctx, index: int) -> None:
    c.conn.execute(text("DELETE FROM auditentry WHERE id = :i"), {"i": c.rows()[index].id})


def _verify(engine: Engine, settings: Settings) -> VerifyReport:
    with session_scope(engine) as s:
        return verify(
            s,
            municipality_code=None,
            evidence_root=settings.evidence_dir,
            key_path=settings.audit_signing_key,
        )


def _tamper(engine: Engine, settings: Settings, mutate: Callable[[Ctx], object]) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Superuser only: ordinary triggers (ours) do not fire in replica mode.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for t in ("auditentry", "auditcheckpoint"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_delete")
        mutate(Ctx(conn, settings, engine.dialect.name))


RESULTS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_verify_detects_mutation(engine: Engine, settings: Settings, case: str) -> None:
    build_world(engine, settings)
    with session_scope(engine) as s:
        sign_heads(s, key_path=settings.audit_signing_key, now=NOW.replace(hour=20))
    clean = _verify(engine, settings)
    assert clean.ok, clean.problems
    assert (clean.entries, clean.chains, clean.evidence, clean.files) == (7, 3, 4, 4)
    _tamper(engine, settings, MUTATIONS[case])
    report = _verify(engine, settings)
    RESULTS[(engine.dialect.name, case)] = str(report.problems[0]) if report.problems else ""
    assert not report.ok, f"not detected: {case}"


# --- Merkle corpus (issue 18): a checkpoint kept outside the database ------------------
# Each attack comes *after* the operator published a checkpoint of krylovsky (5 entries)
# to a file the attacker cannot reach; ``verify --since`` must name entry and reason.


def _delete_tail(c: Connection, *, with_tree: bool, keep: int = 3) -> None:
    """Delete the entries after ``keep`` with the evidence they logged and the step status."""
    for r in attacks.rows(c, "krylovsky")[keep:]:
        c.execute(text("DELETE FROM auditentry WHERE id = :i"), {"i": r.id})
        payload = json.loads(r.payload)
        if "evidence_id" in payload:
            c.execute(text("UPDATE evidence SET superseded_by_id = NULL"))
            c.execute(text("DELETE FROM evidence WHERE id = :i"), {"i": payload["evidence_id"]})
        if r.entity.startswith("step:"):
            c.execute(
                text("UPDATE step SET status = 'planned' WHERE id = :i"), {"i": int(r.entity[5:])}
            )
        if with_tree:
            c.execute(
                text("DELETE FROM auditnode WHERE chain = 'krylovsky' AND level = 0 AND idx = :i"),
                {"i": r.seq - 1},
            )
    if with_tree:
        attacks.rebuild_tree(c, "krylovsky")


def _rewrite(c: Connection, seq: int, *, rehash: bool, tree: bool) -> None:
    r = attacks.rows(c, "krylovsky")[seq - 1]
    c.execute(text("UPDATE auditentry SET actor = 'Мошенников' WHERE id = :i"), {"i": r.id})
    if rehash:
        attacks.rehash(c, "krylovsky", seq)
    if tree:
        attacks.rebuild_tree(c, "krylovsky")


def _rewrite_all_no_checkpoint(c: Connection) -> None:
    c.execute(text("DELETE FROM auditcheckpoint"))
    _rewrite(c, 1, rehash=True, tree=True)


def _append_forged(c: Connection) -> None:
    last = attacks.rows(c, "krylovsky")[-1]
    at = NOW.replace(tzinfo=None) if c.dialect.name == "sqlite" else NOW
    h = entry_hash(
        last.hash,
        chain="krylovsky",
        seq=last.seq + 1,
        at=NOW,
        actor="Иванова А.П.",
        action="step.waived",
        entity="step:1",
        payload_text='{"reason":"не требуется"}',
    )
    c.execute(
        text(
            "INSERT INTO auditentry (chain, municipality_id, seq, at, actor, action, entity, "
            "payload, prev_hash, hash) VALUES ('krylovsky', NULL, :s, :at, 'Иванова А.П.', "
            "'step.waived', 'step:1', '{\"reason\":\"не требуется\"}', :p, :h)"
        ),
        {"s": last.seq + 1, "at": at, "p": last.hash, "h": h},
    )
    c.execute(text("UPDATE step SET status = 'waived' WHERE id = 1"))


def _delete_middle(c: Connection) -> None:
    r = attacks.rows(c, "krylovsky")[2]
    c.execute(text("DELETE FROM auditentry WHERE id = :i"), {"i": r.id})
    attacks.rehash(c, "krylovsky")


def _truncate_chain(c: Connection) -> None:
    c.execute(text("DELETE FROM auditentry WHERE chain = 'krylovsky'"))
    c.execute(text("DELETE FROM auditnode WHERE chain = 'krylovsky'"))


def _swap(c: Connection) -> None:
    r = attacks.rows(c, "krylovsky")
    c.execute(
        text("UPDATE auditentry SET payload = :p WHERE id = :i"), {"p": r[3].payload, "i": r[1].id}
    )
    c.execute(
        text("UPDATE auditentry SET payload = :p WHERE id = :i"), {"p": r[1].payload, "i": r[3].id}
    )
    attacks.rehash(c, "krylovsky")


# attack -> (mutation, words the first problem must contain)
MERKLE_ATTACKS: dict[str, tuple[Callable[[Connection], object], tuple[str, ...]]] = {
    "last entries deleted with their evidence and step status": (
        lambda c: _delete_tail(c, with_tree=False),
        ("записи №4…№5 удалены", "усечение"),
    ),
    "last entries deleted, tree rebuilt to match": (
        lambda c: _delete_tail(c, with_tree=True),
        ("записи №4…№5 удалены", "усечение"),
    ),
    "last entry rewritten after the checkpoint": (
        lambda c: _rewrite(c, 5, rehash=False, tree=False),
        ("запись №5", "содержимое изменено"),
    ),
    "entry 4 rewritten, successors re-hashed": (
        lambda c: _rewrite(c, 4, rehash=True, tree=False),
        ("запись №4", "переписана с пересчётом хешей", "развилка"),
    ),
    "full consistent rewrite (no DB checkpoint), tree rebuilt": (
        _rewrite_all_no_checkpoint,
        ("не позже №5", "подменены вместе", "развилка"),
    ),
    "forged correctly hashed entry appended": (
        _append_forged,
        ("запись №6 не входит в дерево журнала", "в обход приложения"),
    ),
    "fork: history rewritten from entry 2 and re-linked": (
        lambda c: _rewrite(c, 2, rehash=True, tree=False),
        ("запись №2", "развилка"),
    ),
    "middle entry deleted, chain re-linked": (
        _delete_middle,
        ("запись №4", "на месте записи №3 стоит №4", "4 записей из 5 заверенных"),
    ),
    "two entries' payloads swapped and re-hashed": (
        _swap,
        ("запись №2", "переписана"),
    ),
    "chain truncated with its tree": (
        _truncate_chain,
        ("в журнале 0 записей", "записи №1…№5 удалены", "усечение"),
    ),
}


@pytest.mark.parametrize("case", list(MERKLE_ATTACKS))
def test_attack_after_external_checkpoint_is_detected(
    engine: Engine, settings: Settings, tmp_path: Path, case: str
) -> None:
    build_world(engine, settings)
    signer = generate("soczakaz")
    outside = tmp_path / "published" / "krylovsky.cp"  # beyond the attacker's reach
    outside.parent.mkdir()
    with session_scope(engine) as s:
        outside.write_text(make_checkpoint(s, "krylovsky", signer), encoding="utf-8")
        assert check_since(s, outside.read_text(), [signer.verifier()]) == []
    mutate, words = MERKLE_ATTACKS[case]
    with attacks.tampering(engine) as conn:
        mutate(conn)
    with session_scope(engine) as s:
        problems = check_since(s, outside.read_text(encoding="utf-8"), [signer.verifier()])
    RESULTS[(engine.dialect.name, "merkle: " + case)] = problems[0] if problems else ""
    assert problems, f"not detected: {case}"
    assert "krylovsky" in problems[0], problems
    for word in words:
        assert word in problems[0], problems


CORRUPT_CHECKPOINTS = [
    "",
    "soczakaz/krylovsky\nmany\n",
    "soczakaz/krylovsky\n5\nAAAA\n\n\u2014 soczakaz AAAA\n",
    "soczakaz/krylovsky\n5\n" + "A" * 44 + "\n\n\u2014 soczakaz " + "A" * 92 + "\n",
    "soczakaz/krylovsky\n05\nAAAA\n\n",
    "чужой/журнал\n5\nAAAA\n\n\u2014 x AAAA\n",
    "\x00",
]


@pytest.mark.parametrize("bad", CORRUPT_CHECKPOINTS)
def test_corrupt_checkpoint_is_an_error_not_a_traceback(
    engine: Engine, settings: Settings, bad: str
) -> None:
    with session_scope(engine) as s, pytest.raises(NoteError) as err:
        check_since(s, bad, [generate("soczakaz").verifier()])
    assert any("а" <= ch <= "я" for ch in err.value.message)


CORRUPT_PROOFS: list[Any] = [
    {},
    {"entry": "x"},
    {"entry": {"seq": 1}, "index": 0, "tree_size": 5, "proof": []},
    {"index": "a", "tree_size": 5, "proof": [], "entry": {}},
    {"proof": ["zz"], "index": 0, "tree_size": 5},
]


@pytest.mark.parametrize("doc", CORRUPT_PROOFS)
def test_corrupt_proof_is_an_error_not_a_traceback(
    engine: Engine, settings: Settings, doc: Any
) -> None:
    build_world(engine, settings)
    signer = generate("soczakaz")
    with session_scope(engine) as s:
        note = make_checkpoint(s, "krylovsky", signer)
        good = prove(s, "krylovsky", 2)
    cp = open_checkpoint(note, [signer.verifier()], where="t")
    assert check_proof(good, cp)
    with pytest.raises(NoteError, match=r"повреждён|другого журнала|не совпадает|не входит"):
        check_proof(doc, cp)
    # A correct-looking proof for an edited entry, and a proof of another tree size.
    edited = {**good, "entry": {**good["entry"], "actor": "Мошенников"}}
    with pytest.raises(NoteError, match="хеш записи не совпадает"):
        check_proof(edited, cp)
    forged = {**edited, "entry": {**edited["entry"], "hash": "00" * 32}}
    with pytest.raises(NoteError, match=r"не совпадает|не входит"):
        check_proof(forged, cp)
    with pytest.raises(NoteError, match="дерева из 4 записей"):
        check_proof({**good, "tree_size": 4}, cp)


def test_zz_detection_figure() -> None:
    """Runs after the corpus: prints and asserts the detection rate per backend."""
    assert RESULTS, "run the whole module to get the figure"
    for backend in sorted({b for b, _ in RESULTS}):
        cases = {c: why for (b, c), why in RESULTS.items() if b == backend}
        detected = sum(1 for why in cases.values() if why)
        print(
            f"\n{backend}: mutation detection {detected}/{len(cases)} "
            f"= {100 * detected / len(cases):.0f}%"
        )
        for case, why in cases.items():
            print(f"  [{'OK' if why else 'MISSED'}] {case}: {why}")
        assert detected == len(cases)
