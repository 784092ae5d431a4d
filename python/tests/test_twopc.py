"""duet.run_local, duet.garbler and duet.evaluator: two-party runs checked against
duet.eval, in one process and in two processes over TCP (plain on loopback, and encrypted
with pinned keys)."""

import random
import threading
import time

import duet
import pytest
from conftest import AES_CT, AES_KEY, AES_PT, free_port

M64 = (1 << 64) - 1


def test_run_local_matches_eval():
    rng = random.Random(2)
    for name in ("adder64", "mult64", "sub64"):
        c = duet.load(name)
        for _ in range(3):
            a, b = rng.getrandbits(64), rng.getrandbits(64)
            assert duet.run_local(c, garbler={0: a}, evaluator={1: b}) == duet.eval(c, [a, b])
    assert duet.run_local("aes_128", {0: AES_KEY}, {1: AES_PT}) == [AES_CT]
    # one party may own every input
    assert duet.run_local("adder64", {0: 2, 1: 3}, {}) == [5]


@pytest.mark.parametrize("scheme", ["half-gates", "three-halves"])
@pytest.mark.parametrize("reveal", ["both", "garbler", "evaluator"])
def test_schemes_and_reveal(scheme, reveal):
    out = duet.run_local(
        "aes_128", {0: AES_KEY}, {1: AES_PT}, reveal=reveal, scheme=scheme
    )
    assert out == [AES_CT]


def test_batch():
    rng = random.Random(3)
    pairs = [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(10)]
    out = duet.run_local(
        "mult64", [{0: a} for a, _ in pairs], [{1: b} for _, b in pairs]
    )
    assert out == [[(a * b) & M64] for a, b in pairs]


def test_run_local_errors():
    with pytest.raises(duet.InputError, match="input 0 is given to both parties"):
        duet.run_local("adder64", {0: 1}, {0: 1, 1: 2})
    with pytest.raises(duet.InputError, match="input 1 is given to neither party"):
        duet.run_local("adder64", {0: 1}, {})
    with pytest.raises(duet.InputError, match=r"evaluator: input 1 \(64 bits\).*needs 65 bits"):
        duet.run_local("adder64", {0: 1}, {1: 1 << 64})
    with pytest.raises(duet.InputError, match="garbler: input 7 does not exist"):
        duet.run_local("adder64", {7: 1}, {1: 1})
    with pytest.raises(duet.InputError, match="instance 1: input 1 is given to neither"):
        duet.run_local("adder64", [{0: 1}, {0: 1}], [{1: 1}, {}])
    with pytest.raises(duet.InputError, match="1 instance.*2"):
        duet.run_local("adder64", {0: 1}, [{1: 1}, {1: 2}])
    with pytest.raises(duet.InputError, match="reveal="):
        duet.run_local("adder64", {0: 1}, {1: 1}, reveal="nobody")
    with pytest.raises(duet.InputError, match="scheme="):
        duet.run_local("adder64", {0: 1}, {1: 1}, scheme="free-xor-only")
    with pytest.raises(TypeError, match="garbler must be a dict"):
        duet.run_local("adder64", "0=1", {1: 1})
    with pytest.raises(TypeError, match="an input index must be an int"):
        duet.run_local("adder64", {"0": 1}, {1: 1})


def test_gil_is_released():
    """Python code in another thread runs while a protocol runs."""
    c = duet.load("aes_128")
    n = 400
    done = threading.Event()
    result = []

    def work():
        result.append(duet.run_local(c, [{0: AES_KEY}] * n, [{1: AES_PT}] * n))
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert result[0] == [[AES_CT]] * n
    assert ticks > 5, "the main thread never ran while the protocol ran"


GARBLER = """
result = duet.garbler("aes_128", inputs={0: %d}, %s)
"""


def test_two_processes_plain_loopback(peer):
    port = free_port()
    p = peer(GARBLER % (AES_KEY, f"listen='127.0.0.1:{port}'"))
    out = duet.evaluator("aes_128", inputs={1: AES_PT}, connect=f"127.0.0.1:{port}")
    assert out == [AES_CT]
    assert p.result() == [AES_CT]


def test_two_processes_with_keys_and_batch(peer, keys):
    gk, gpub, ek, epub = keys
    port = free_port()
    p = peer(
        f"""
        result = duet.evaluator("adder64", inputs=[{{1: 10}}, {{1: 20}}],
                                listen="127.0.0.1:{port}", key={ek!r}, peer_key={gpub!r})
        """
    )
    out = duet.garbler(
        "adder64",
        inputs=[{0: 1}, {0: 2}],
        connect=f"127.0.0.1:{port}",
        key=gk,
        peer_key=epub,
    )
    assert out == [[11], [22]]
    assert p.result() == [[11], [22]]


def test_two_processes_reveal_to_evaluator_only(peer):
    port = free_port()
    p = peer(
        f"""
        result = duet.garbler("adder64", inputs={{0: 5}}, listen="127.0.0.1:{port}",
                              reveal="evaluator")
        """
    )
    out = duet.evaluator(
        "adder64", inputs={1: 6}, connect=f"127.0.0.1:{port}", reveal="evaluator"
    )
    assert out == [11]
    assert p.result() == []


def test_wrong_peer_key_is_refused(peer, keys, tmp_path):
    gk, gpub, ek, epub = keys
    other = duet.keygen(tmp_path / "mallory.key")
    port = free_port()
    p = peer(
        f"""
        try:
            duet.garbler("adder64", inputs={{0: 1}}, listen="127.0.0.1:{port}",
                         key={gk!r}, peer_key={other!r}, connect_timeout=20)
            result = "ran"
        except duet.DuetError as e:
            result = type(e).__name__
        """
    )
    with pytest.raises(duet.DuetError, match="handshake"):
        duet.evaluator(
            "adder64", inputs={1: 1}, connect=f"127.0.0.1:{port}", key=ek, peer_key=gpub
        )
    assert p.result() != "ran"


def test_circuit_mismatch_is_refused(peer):
    port = free_port()
    p = peer(
        f"""
        try:
            duet.garbler("sub64", inputs={{0: 1}}, listen="127.0.0.1:{port}")
            result = "ran"
        except duet.ProtocolError as e:
            result = str(e)
        """
    )
    with pytest.raises(duet.ProtocolError, match="circuit"):
        duet.evaluator("adder64", inputs={1: 1}, connect=f"127.0.0.1:{port}")
    assert "circuit" in p.result()


def test_network_option_errors(keys):
    gk, gpub, ek, epub = keys
    with pytest.raises(duet.InputError, match="refusing to connect to 192.0.2.1:7000"):
        duet.evaluator("adder64", inputs={1: 1}, connect="192.0.2.1:7000")
    with pytest.raises(duet.InputError, match="give listen="):
        duet.evaluator("adder64", inputs={1: 1})
    with pytest.raises(duet.InputError, match="not both"):
        duet.evaluator("adder64", inputs={1: 1}, listen="127.0.0.1:1", connect="127.0.0.1:1")
    with pytest.raises(duet.InputError, match="go together"):
        duet.evaluator("adder64", inputs={1: 1}, connect="127.0.0.1:1", key=ek)
    with pytest.raises(duet.InputError, match="own public key"):
        duet.evaluator("adder64", inputs={1: 1}, connect="127.0.0.1:1", key=ek, peer_key=epub)
    with pytest.raises(duet.InputError, match="peer_key"):
        duet.evaluator(
            "adder64", inputs={1: 1}, connect="127.0.0.1:1", key=ek, peer_key="duet-pk:zz"
        )
    with pytest.raises(duet.InputError, match="timeout"):
        duet.evaluator("adder64", inputs={1: 1}, connect="127.0.0.1:1", timeout=0)


def test_no_peer_is_a_network_error():
    port = free_port()
    t = time.monotonic()
    with pytest.raises(duet.NetworkError):
        duet.evaluator(
            "adder64", inputs={1: 1}, connect=f"127.0.0.1:{port}", connect_timeout=0.5
        )
    assert time.monotonic() - t < 10


def test_peer_that_disconnects(peer):
    """A peer that goes away mid-protocol: a NetworkError, not a hang or a crash."""
    port = free_port()
    # The peer opens the Duet channel as the evaluator, then closes it at once.
    p = peer(
        f"""
        import socket, time
        for _ in range(200):
            try:
                s = socket.create_connection(("127.0.0.1", {port}))
                break
            except OSError:
                time.sleep(0.05)
        s.close()
        result = "closed"
        """
    )
    with pytest.raises(duet.NetworkError):
        duet.garbler("adder64", inputs={0: 1}, listen=f"127.0.0.1:{port}", timeout=5)
    assert p.result() == "closed"


def test_peer_killed_mid_run(peer):
    """The peer process dies while the run streams tables (8,000 SHA-256 blocks, about
    180 M AND gates: far more than a second's work)."""
    port = free_port()
    p = peer(
        f"""
        import os, threading
        c = duet.load("sha256")
        batch = [{{1: 0}}] * 8000
        threading.Timer(1.0, lambda: os._exit(9)).start()
        result = duet.evaluator(c, inputs=batch, connect="127.0.0.1:{port}")
        """
    )
    t = time.monotonic()
    with pytest.raises(duet.NetworkError):
        duet.garbler("sha256", inputs=[{0: 0}] * 8000, listen=f"127.0.0.1:{port}", timeout=10)
    assert time.monotonic() - t < 30
    p.proc.wait(timeout=30)
    assert p.proc.returncode == 9


def gc_run():
    """The `gc-run` binary if it was built (cargo test --workspace builds target/debug)."""
    from conftest import REPO

    for profile in ("debug", "release"):
        p = REPO / "target" / profile / "gc-run"
        if p.exists():
            return str(p)
    pytest.skip("gc-run is not built")


def test_interoperates_with_the_cli(keys):
    import subprocess

    gk, gpub, ek, epub = keys
    port = free_port()
    cli = subprocess.Popen(
        [gc_run(), "evaluator", "aes_128", "--connect", f"127.0.0.1:{port}",
         "--key", ek, "--peer-key", gpub, "--input", f"1={AES_PT:032x}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        out = duet.garbler(
            "aes_128", inputs={0: AES_KEY}, listen=f"127.0.0.1:{port}", key=gk, peer_key=epub
        )
        stdout, stderr = cli.communicate(timeout=60)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert out == [AES_CT]
    assert cli.returncode == 0, stderr
    assert stdout.split() == [f"{AES_CT:032x}"]
