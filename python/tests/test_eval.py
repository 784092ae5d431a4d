"""duet.load, duet.Circuit and duet.eval: plaintext evaluation against known answers."""

import random

import duet
import pytest
from conftest import AES_CT, AES_KEY, AES_PT

M64 = (1 << 64) - 1


def test_aes_fips197():
    assert duet.eval("aes_128", [AES_KEY, AES_PT]) == [AES_CT]
    assert duet.eval("aes_128", {1: AES_PT, 0: AES_KEY}) == [AES_CT]


def test_builtins_against_python_arithmetic():
    rng = random.Random(1)
    for _ in range(20):
        a, b = rng.getrandbits(64), rng.getrandbits(64)
        assert duet.eval("adder64", [a, b]) == [(a + b) & M64]
        assert duet.eval("sub64", [a, b]) == [(a - b) & M64]
        assert duet.eval("mult64", [a, b]) == [(a * b) & M64]
        assert duet.eval("neg64", [a]) == [(-a) & M64]
    assert duet.eval("zero_equal", [0]) == [1]
    assert duet.eval("zero_equal", [5]) == [0]


def test_circuit_object_and_paths(tmp_path):
    c = duet.load("aes_128")
    assert c.inputs == [128, 128] and c.outputs == [128]
    assert c.and_gates == 6400 and c.xor_gates > 0
    assert c.name == "aes_128" and not c.streamed
    assert "aes_128" in repr(c)
    assert duet.eval(c, [AES_KEY, AES_PT]) == [AES_CT]
    assert "sha256" in duet.BUILTIN_CIRCUITS
    # a Bristol file by path (str or pathlib), and streamed
    f = tmp_path / "and.txt"
    f.write_text("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n")
    for spec in (f, str(f)):
        for a in (0, 1):
            for b in (0, 1):
                assert duet.eval(spec, [a, b]) == [a & b]
    s = duet.load(f, stream=True)
    assert s.streamed
    assert duet.eval(s, [1, 1]) == [1]


def test_wide_values_round_trip():
    # sha256 takes a 512-bit block and a 256-bit chaining value: wide ints both ways
    c = duet.load("sha256")
    assert c.inputs == [512, 256] and c.outputs == [256]
    out = duet.eval(c, [(1 << 512) - 1, (1 << 256) - 1])
    assert len(out) == 1 and 0 <= out[0] < 1 << 256


def test_input_errors(tmp_path):
    with pytest.raises(duet.InputError, match=r"input 0 \(128 bits\).*needs 129 bits"):
        duet.eval("aes_128", [1 << 128, 0])
    with pytest.raises(ValueError, match=r"input 1 \(128 bits\): -1 is negative"):
        duet.eval("aes_128", [0, -1])
    with pytest.raises(duet.InputError, match=r"takes 2 input value\(s\).*but 1 given"):
        duet.eval("aes_128", [0])
    with pytest.raises(duet.InputError, match=r"but 1 given"):
        duet.eval("aes_128", {0: 0})
    with pytest.raises(duet.InputError, match="input 5 does not exist"):
        duet.eval("aes_128", {0: 0, 5: 0})
    with pytest.raises(TypeError, match="input 0 must be an int, got str"):
        duet.eval("aes_128", ["00ff", 0])
    with pytest.raises(TypeError, match="inputs must be"):
        duet.eval("aes_128", 5)
    with pytest.raises(TypeError, match="circuit must be"):
        duet.eval(42, [0])
    with pytest.raises(duet.InputError, match="neither a file nor a built-in circuit"):
        duet.eval("no_such_circuit", [0])
    bad = tmp_path / "bad.txt"
    bad.write_text("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 NAND\n")
    with pytest.raises(duet.InputError, match="bad.txt.*line 5"):
        duet.load(bad)
    # the exception hierarchy
    assert issubclass(duet.InputError, duet.DuetError)
    assert issubclass(duet.InputError, ValueError)
    assert issubclass(duet.NetworkError, duet.ProtocolError)
    assert issubclass(duet.NetworkError, ConnectionError)
