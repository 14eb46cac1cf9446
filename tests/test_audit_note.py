"""C2SP signed-note / checkpoint format: keys, signatures, parsing hostile text (issue 18)."""

from __future__ import annotations

import pytest

from domain.audit.merkle import MerkleTree
from domain.audit.note import (
    Checkpoint,
    NoteError,
    cosign,
    generate,
    parse_body,
    parse_note,
    parse_signer,
    parse_verifier,
    sign_checkpoint,
)


def _cp() -> Checkpoint:
    return Checkpoint("soczakaz.example/irkutsk", 8, MerkleTree.from_data([b"a"] * 8).root())


def test_checkpoint_roundtrip_and_format() -> None:
    signer = generate("soczakaz-irkutsk")
    text = sign_checkpoint(_cp(), signer)
    lines = text.split("\n")
    assert lines[0] == "soczakaz.example/irkutsk" and lines[1] == "8" and lines[3] == ""
    assert lines[4].startswith("\u2014 soczakaz-irkutsk ")
    note = parse_note(text)
    assert parse_body(note.body) == _cp()
    assert note.verified_by([signer.verifier()]) == ["soczakaz-irkutsk"]


def test_key_texts_roundtrip_and_key_id() -> None:
    signer = generate("rmc")
    again = parse_signer(signer.text())
    assert again.verifier().text() == signer.verifier().text()
    v = parse_verifier(signer.verifier().text())
    assert v.text().startswith("rmc+" + v.id.hex() + "+")
    with pytest.raises(NoteError, match="хеш ключа"):
        parse_verifier("other+" + v.text().split("+", 1)[1])


def test_attacker_key_with_same_name_does_not_verify() -> None:
    honest, attacker = generate("soczakaz"), generate("soczakaz")
    text = sign_checkpoint(_cp(), attacker)
    assert parse_note(text).verified_by([honest.verifier()]) == []


def test_edited_body_fails_signature() -> None:
    signer = generate("s")
    text = sign_checkpoint(_cp(), signer).replace("\n8\n", "\n9\n", 1)
    assert parse_note(text).verified_by([signer.verifier()]) == []


def test_cosignature_by_witness() -> None:
    log, rmc = generate("log"), generate("rmc")
    text = cosign(sign_checkpoint(_cp(), log), rmc)
    assert parse_note(text).verified_by([log.verifier(), rmc.verifier()]) == ["log", "rmc"]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "x\n",
        "origin\n8\nroot\n",
        "o\n8\nAAAA\n\n\u2014 k AAAA\n",
        "o\n8\n\n\u2014 k !!\n",
        "o\n8\nAAAA\n\n- k AAAA\n",
        "o\r\n8\n\n",
    ],
)
def test_corrupt_notes_give_russian_error(bad: str) -> None:
    with pytest.raises(NoteError) as err:
        note = parse_note(bad)
        parse_body(note.body)
    assert any("а" <= c <= "я" for c in str(err.value))


@pytest.mark.parametrize("body", ["o\nx\nAAAA\n", "o\n08\nAAAA\n", "o\n8\nAAAA\n"])
def test_corrupt_bodies(body: str) -> None:
    with pytest.raises(NoteError):
        parse_body(body)
