"""duet.Program / duet.Secret: the typed program API with operator overloading, against
Python's own arithmetic (wrapped to the type), in the clear and two-party."""

import random

import duet
import pytest
from conftest import free_port

TYPES = [duet.u8, duet.u16, duet.u32, duet.u64, duet.i8, duet.i16, duet.i32, duet.i64]


def wrap(t, v):
    v &= (1 << t.bits) - 1
    if t.signed and v >= 1 << (t.bits - 1):
        v -= 1 << t.bits
    return v


def tdiv(t, a, b):
    """Division as the program API defines it (RISC-V): truncating, x / 0 = -1 / MAX."""
    if b == 0:
        return -1 if t.signed else t.max
    q = abs(a) // abs(b)
    return wrap(t, q if (a < 0) == (b < 0) else -q)


def trem(t, a, b):
    if b == 0:
        return a
    return wrap(t, a - b * (abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)))


def reference(t, a, b, k):
    return {
        "add": wrap(t, a + b),
        "sub": wrap(t, a - b),
        "mul": wrap(t, a * b),
        "div": tdiv(t, a, b),
        "rem": trem(t, a, b),
        "and": wrap(t, a & b),
        "or": wrap(t, a | b),
        "xor": wrap(t, a ^ b),
        "not": wrap(t, ~a),
        "neg": wrap(t, -a),
        "shl": wrap(t, a << k),
        "shr": a >> k if t.signed else (a & ((1 << t.bits) - 1)) >> k,
        "lt": a < b,
        "le": a <= b,
        "gt": a > b,
        "ge": a >= b,
        "eq": a == b,
        "ne": a != b,
        "min": min(a, b),
        "max": max(a, b),
        "sel": a if a > b else b,
        "plus1": wrap(t, a + 1),
        "rsub": wrap(t, 3 - a),
    }


def all_ops(t, k):
    p = duet.Program()
    a = p.input("a", t, owner="garbler")
    b = p.input("b", t, owner="evaluator")
    outs = {
        "add": a + b,
        "sub": a - b,
        "mul": a * b,
        "div": a // b,
        "rem": a % b,
        "and": a & b,
        "or": a | b,
        "xor": a ^ b,
        "not": ~a,
        "neg": -a,
        "shl": a << k,
        "shr": a >> k,
        "lt": a < b,
        "le": a <= b,
        "gt": a > b,
        "ge": a >= b,
        "eq": a == b,
        "ne": a != b,
        "min": a.min(b),
        "max": a.max(b),
        "sel": (a > b).select(a, b),
        "plus1": a + 1,
        "rsub": 3 - a,
    }
    for name, v in outs.items():
        p.output(name, v)
    return p


def samples(t, rng, n):
    edge = [t.min, t.max, 0, 1, -1 if t.signed else 2]
    vals = [(x, y) for x in edge[:3] for y in edge[2:]]
    vals += [(rng.randint(t.min, t.max), rng.randint(t.min, t.max)) for _ in range(n)]
    return vals


@pytest.mark.parametrize("t", TYPES, ids=lambda t: t.name)
def test_every_op_in_the_clear(t):
    rng = random.Random(t.bits * 2 + t.signed)
    k = rng.randrange(t.bits)
    p = all_ops(t, k)
    for a, b in samples(t, rng, 20):
        assert p.eval({"a": a, "b": b}) == reference(t, a, b, k), (t.name, a, b)


@pytest.mark.parametrize("t", [duet.u8, duet.i16, duet.u32, duet.i64], ids=lambda t: t.name)
def test_every_op_two_party(t):
    rng = random.Random(100 + t.bits)
    k = rng.randrange(t.bits)
    p = all_ops(t, k)
    for a, b in samples(t, rng, 1)[-2:]:
        got = duet.run_local(p, garbler={"a": a}, evaluator={"b": b})
        assert got == reference(t, a, b, k), (t.name, a, b)


def test_millionaires_from_the_issue():
    p = duet.Program()
    a = p.input("alice", duet.u32, owner="garbler")
    b = p.input("bob", duet.u32, owner="evaluator")
    p.output("richer", a > b)
    assert duet.run_local(p, garbler={"alice": 7}, evaluator={"bob": 5}) == {"richer": True}
    assert duet.eval(p, {"alice": 5, "bob": 7}) == {"richer": False}
    assert p.and_gates == 32


def test_bools_casts_constants_and_readers():
    p = duet.Program()
    x = p.input("x", duet.i8, owner="garbler")
    f = p.input("flag", duet.bool, owner="evaluator")
    wide = x.cast(duet.i64) * 1000
    p.output("wide", wide, reveal="evaluator")
    p.output("pick", f.select(x, p.constant(-1, duet.i8)), reveal="garbler")
    p.output("both", f & (x < 0))
    assert [n for n, _, _ in p.outputs] == ["wide", "pick", "both"]
    assert p.inputs == [("x", duet.i8, "garbler"), ("flag", duet.bool, "evaluator")]
    assert duet.run_local(p, {"x": -100}, {"flag": True}) == {
        "wide": -100000,
        "pick": -100,
        "both": True,
    }
    assert p.eval({"x": 5, "flag": False}) == {"wide": 5000, "pick": -1, "both": False}


def test_program_errors():
    p = duet.Program()
    a = p.input("a", duet.u8, owner="garbler")
    b = p.input("b", duet.i8, owner="evaluator")
    with pytest.raises(duet.InputError, match="declared twice"):
        p.input("a", duet.u8, owner="evaluator")
    with pytest.raises(duet.InputError, match="owner="):
        p.input("c", duet.u8, owner="alice")
    with pytest.raises(duet.InputError, match="bad name"):
        p.input("", duet.u8, owner="garbler")
    with pytest.raises(TypeError):
        p.input("d", "u8", owner="garbler")
    with pytest.raises(duet.InputError, match="bad operands"):
        a + b
    with pytest.raises(duet.InputError, match="the constant 300 does not fit a u8"):
        a + 300
    with pytest.raises(TypeError, match="must be a duet.Secret or an int, got float"):
        a + 1.5
    with pytest.raises(TypeError, match="no truth value"):
        if a > 1:
            pass
    with pytest.raises(TypeError, match="unhashable"):
        {a}
    with pytest.raises(duet.InputError, match="declares no output"):
        p.eval({"a": 1, "b": 1})
    p.output("s", a + 1)
    with pytest.raises(duet.InputError, match="`a`: 256 does not fit a u8"):
        p.eval({"a": 256, "b": 1})
    with pytest.raises(duet.InputError, match="`a`: -1 does not fit a u8"):
        duet.run_local(p, {"a": -1}, {"b": 1})
    with pytest.raises(duet.InputError, match="no input `c`"):
        duet.run_local(p, {"a": 1, "c": 2}, {"b": 1})
    with pytest.raises(duet.InputError, match="input `b` .* has no value"):
        duet.run_local(p, {"a": 1}, {})
    with pytest.raises(duet.InputError, match="`b` belongs to the evaluator"):
        duet.run_local(p, {"a": 1, "b": 1}, {})
    with pytest.raises(duet.InputError, match="declared u8 but was given a bool"):
        duet.run_local(p, {"a": True}, {"b": 1})
    with pytest.raises(TypeError, match="must be an int, got str"):
        duet.run_local(p, {"a": "1"}, {"b": 1})
    with pytest.raises(duet.InputError, match="reveal="):
        p.output("t", a, reveal="everyone")
    with pytest.raises(duet.InputError, match="give no reveal="):
        duet.garbler(p, inputs={"a": 1}, connect="127.0.0.1:1", reveal="garbler")


def program(op):
    p = duet.Program()
    a = p.input("salary_a", duet.u64, owner="garbler")
    b = p.input("salary_b", duet.u64, owner="evaluator")
    p.output("a_earns_more", a > b if op == ">" else a >= b)
    return p


PEER = """
p = duet.Program()
a = p.input("salary_a", duet.u64, owner="garbler")
b = p.input("salary_b", duet.u64, owner="evaluator")
p.output("a_earns_more", {expr})
try:
    result = duet.garbler(p, inputs={{"salary_a": 91000}}, listen="127.0.0.1:{port}",
                          key={key!r}, peer_key={peer_key!r})
except duet.DuetError as e:
    result = type(e).__name__ + ": " + str(e)
"""


def test_program_two_processes_with_keys(peer, keys):
    gk, gpub, ek, epub = keys
    port = free_port()
    pr = peer(PEER.format(expr="a > b", port=port, key=gk, peer_key=epub))
    out = duet.evaluator(
        program(">"), inputs={"salary_b": 87000}, connect=f"127.0.0.1:{port}",
        key=ek, peer_key=gpub,
    )
    assert out == {"a_earns_more": True}
    assert pr.result() == {"a_earns_more": True}


def test_program_mismatch_is_refused(peer):
    port = free_port()
    pr = peer(PEER.format(expr="a >= b", port=port, key=None, peer_key=None).replace(
        "key=None, peer_key=None", ""))
    with pytest.raises(duet.ProtocolError, match="different programs|circuit mismatch"):
        duet.evaluator(program(">"), inputs={"salary_b": 1}, connect=f"127.0.0.1:{port}")
    assert pr.result().startswith("ProtocolError")
