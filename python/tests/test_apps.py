"""duet.compare_local / duet.compare and duet.psi_local / duet.psi_sender /
duet.psi_receiver, against plaintext answers, in one process and over TCP."""

import random

import duet
import pytest
from conftest import free_port


def word(a, b):
    return "less" if a < b else "equal" if a == b else "greater"


def test_compare_local_signed_and_unsigned():
    rng = random.Random(4)
    lo, hi = -(1 << 63), (1 << 63) - 1
    for a, b in [(7, 5), (5, 7), (3, 3), (lo, hi), (hi, lo), (-1, 0)]:
        assert duet.compare_local(a, b) == word(a, b)
    for _ in range(5):
        a, b = rng.getrandbits(16), rng.getrandbits(16)
        assert duet.compare_local(a, b, bits=16, signed=False) == word(a, b)
    assert duet.compare_local(255, 0, bits=8, signed=False) == "greater"
    assert duet.compare_local(-128, 127, bits=8) == "less"


def test_compare_errors():
    with pytest.raises(duet.InputError, match=r"a: 4294967301 is out of range for 32-bit"):
        duet.compare_local(4294967301, 10, bits=32, signed=False)
    with pytest.raises(ValueError, match=r"b: -1 is out of range for 8-bit unsigned"):
        duet.compare_local(1, -1, bits=8, signed=False)
    with pytest.raises(duet.InputError, match="bits=65"):
        duet.compare_local(1, 2, bits=65)
    with pytest.raises(TypeError, match="a must be an int, got float"):
        duet.compare_local(1.5, 2)
    with pytest.raises(duet.InputError, match="role="):
        duet.compare(1, role="judge", connect="127.0.0.1:1")


def test_compare_two_processes_with_keys(peer, keys):
    gk, gpub, ek, epub = keys
    port = free_port()
    p = peer(
        f"""
        result = duet.compare(-20, role="garbler", listen="127.0.0.1:{port}",
                              key={gk!r}, peer_key={epub!r}, bits=32)
        """
    )
    r = duet.compare(
        17, role="evaluator", connect=f"127.0.0.1:{port}", key=ek, peer_key=gpub, bits=32
    )
    assert r == "less" and p.result() == "less"


def test_compare_width_mismatch(peer):
    port = free_port()
    p = peer(
        f"""
        try:
            duet.compare(1, role="garbler", listen="127.0.0.1:{port}", bits=16)
            result = "ran"
        except duet.ProtocolError as e:
            result = str(e)
        """
    )
    with pytest.raises(duet.ProtocolError, match="width"):
        duet.compare(1, role="evaluator", connect=f"127.0.0.1:{port}", bits=32)
    assert "width" in p.result()


def test_psi_local():
    sender = ["apple", "banana", b"cherry", "date", "apple"]
    receiver = ["fig", "cherry", b"apple", "grape", "cherry", "date"]
    # str and bytes of the same UTF-8 text are the same item; duplicates count once and
    # the result keeps the receiver's objects and order
    assert duet.psi_local(sender, receiver) == ["cherry", b"apple", "date"]
    assert duet.psi_local([], ["a"]) == []
    assert duet.psi_local(["a"], []) == []
    assert duet.psi_local(["é", "\x00"], [b"\xc3\xa9", "\x00"]) == [b"\xc3\xa9", "\x00"]


def test_psi_local_larger_against_sets():
    rng = random.Random(5)
    universe = [f"user{i}@example.com" for i in range(6000)]
    s = rng.sample(universe, 3000)
    r = rng.sample(universe, 2000)
    assert duet.psi_local(s, r) == [x for x in r if x in set(s)]


def test_psi_errors():
    with pytest.raises(TypeError, match=r"receiver\[1\] must be str or bytes, got int"):
        duet.psi_local(["a"], ["b", 3])
    with pytest.raises(TypeError, match="sender must be a list"):
        duet.psi_local("abc", ["a"])
    with pytest.raises(TypeError, match="sender must be a list"):
        duet.psi_local(5, ["a"])


def test_psi_two_processes_with_keys(peer, keys):
    gk, gpub, ek, epub = keys
    port = free_port()
    p = peer(
        f"""
        result = duet.psi_sender([f"id{{i}}" for i in range(0, 1000, 2)],
                                 listen="127.0.0.1:{port}", key={gk!r}, peer_key={epub!r})
        """
    )
    mine = [f"id{i}" for i in range(0, 1000, 3)]
    got = duet.psi_receiver(mine, connect=f"127.0.0.1:{port}", key=ek, peer_key=gpub)
    assert got == [x for x in mine if int(x[2:]) % 2 == 0]
    assert p.result() is None


def test_psi_two_senders_are_refused(peer):
    port = free_port()
    p = peer(
        f"""
        try:
            duet.psi_sender(["a"], listen="127.0.0.1:{port}")
            result = "ran"
        except duet.ProtocolError as e:
            result = str(e)
        """
    )
    with pytest.raises(duet.ProtocolError, match="both parties are the sender"):
        duet.psi_sender(["a"], connect=f"127.0.0.1:{port}")
    assert "both parties are the sender" in p.result()
