"""C2SP signed-note / checkpoint format: keys, signatures, parsing hostile text (issue 18)."""

from __future__ import annotations

import base64

import pytest

from domain.audit.merkle import MerkleTree
from domain.audit.note import (
    Checkpoint,
    NoteError,
    cosign,
    generate,
    key_id,
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
    """c2sp.org/tlog-cosignature: key id with type 0x04, u64 time, signed header + body."""
    log, rmc = generate("log"), generate("rmc", witness=True)
    text = cosign(sign_checkpoint(_cp(), log), rmc, 1_679_315_147)
    note = parse_note(text)
    assert note.verified_by([log.verifier(), rmc.cosigner()]) == ["log", "rmc"]
    _name, kid, sig = note.signatures[1]
    assert kid == key_id("rmc", rmc.cosigner().raw, b"\x04") and len(sig) == 72
    assert int.from_bytes(sig[:8], "big") == 1_679_315_147
    message = b"cosignature/v1\ntime 1679315147\n" + note.body.encode()
    rmc.private.public_key().verify(sig[8:], message)  # raises when not the spec's message
    # A cosignature is not a log signature, nor checks under the plain-note key type.
    assert note.verified_by([rmc.verifier()]) == []
    assert parse_verifier(rmc.public().text()).is_witness
    assert parse_signer(rmc.text()).cosigner().text() == rmc.cosigner().text()
    # Edited time: the signature no longer checks.
    forged = bytearray(base64.b64decode(text.rsplit(" ", 1)[1]))
    forged[11] ^= 1
    bad = text.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(forged)).decode() + "\n"
    assert parse_note(bad).verified_by([rmc.cosigner()]) == []


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
