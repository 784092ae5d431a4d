"""duet.arith_local and duet.arith: circom-2-arithc circuits from the repository's test
data, against their recorded vectors."""

import json

import duet
import pytest
from conftest import ARITH, free_port

MILLIONAIRES = ARITH / "millionaires"


def vectors(name, limit=3):
    lines = (ARITH / name / "vectors.jsonl").read_text().splitlines()
    return [json.loads(x) for x in lines[:limit] if x.strip()]


@pytest.mark.parametrize("name", ["millionaires", "op_arith", "op_compare", "max_of_n"])
def test_arith_local_vectors(name):
    for v in vectors(name):
        names = sorted(v["inputs"])
        half = max(1, len(names) // 2)
        g = {n: int(v["inputs"][n]) for n in names[:half]}
        e = {n: int(v["inputs"][n]) for n in names[half:]}
        out = duet.arith_local(ARITH / name, g, e, ell=v["ell"])
        assert out == {k: int(x) for k, x in v["outputs"].items()}, (name, v)


def test_arith_local_small_ring_and_scheme():
    out = duet.arith_local(
        MILLIONAIRES, {"0.alice": -3}, {"0.bob": 100}, ell=8, scheme="three-halves"
    )
    assert out == {"0.richer": 0, "0.verdict": 2}


def test_arith_errors(tmp_path):
    with pytest.raises(duet.InputError, match="`0.carol` is not an input"):
        duet.arith_local(MILLIONAIRES, {"0.carol": 1}, {"0.bob": 1})
    with pytest.raises(duet.InputError, match="input `0.bob` is not given"):
        duet.arith_local(MILLIONAIRES, {"0.alice": 1}, {})
    with pytest.raises(duet.InputError, match="input `0.alice` is given by both parties"):
        duet.arith_local(MILLIONAIRES, {"0.alice": 1}, {"0.alice": 1, "0.bob": 2})
    with pytest.raises(duet.InputError, match="0.alice.*not a decimal integer in"):
        duet.arith_local(MILLIONAIRES, {"0.alice": 1 << 64}, {"0.bob": 1})
    with pytest.raises(duet.InputError, match="0.alice.*-2\\^7"):
        duet.arith_local(MILLIONAIRES, {"0.alice": -129}, {"0.bob": 1}, ell=8)
    with pytest.raises(TypeError, match="input `0.alice` must be an int, got str"):
        duet.arith_local(MILLIONAIRES, {"0.alice": "1"}, {"0.bob": 1})
    with pytest.raises(TypeError, match="garbler must be a dict"):
        duet.arith_local(MILLIONAIRES, [1], {"0.bob": 1})
    with pytest.raises(duet.InputError, match="cannot read"):
        duet.arith_local(tmp_path, {}, {})
    with pytest.raises(duet.InputError):
        duet.arith_local(MILLIONAIRES, {"0.alice": 1}, {"0.bob": 1}, ell=12)


def test_arith_two_processes(peer, keys):
    gk, gpub, ek, epub = keys
    port = free_port()
    p = peer(
        f"""
        result = duet.arith({str(MILLIONAIRES)!r}, role="garbler", inputs={{"0.alice": 17}},
                            listen="127.0.0.1:{port}", key={gk!r}, peer_key={epub!r})
        """
    )
    out = duet.arith(
        MILLIONAIRES,
        role="evaluator",
        inputs={"0.bob": 5},
        connect=f"127.0.0.1:{port}",
        key=ek,
        peer_key=gpub,
    )
    assert out == {"0.richer": 1, "0.verdict": 1}
    assert p.result() == out
