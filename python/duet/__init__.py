"""Duet: two-party secure computation from Python.

Two parties who do not trust each other compute a function of their private inputs and
learn only the output: garbled circuits (half-gates or three-halves) over Bristol Fashion
circuits, secure comparison, private set intersection (KKRT16) and circom-2-arithc
arithmetic circuits, all run by the Rust crates of Duet with the GIL released.

    >>> import duet
    >>> p = duet.Program()
    >>> a = p.input("alice", duet.u32, owner="garbler")
    >>> b = p.input("bob", duet.u32, owner="evaluator")
    >>> p.output("richer", a > b)
    >>> duet.run_local(p, garbler={"alice": 7}, evaluator={"bob": 5})
    {'richer': True}
    >>> duet.compare_local(7, 5)
    'greater'
    >>> hex(duet.run_local("aes_128",
    ...         garbler={0: 0x000102030405060708090a0b0c0d0e0f},
    ...         evaluator={1: 0x00112233445566778899aabbccddeeff})[0])
    '0x69c4e0d86a7b0430d8cdb78070b4c55a'

Values are Python ints: an input of w bits takes 0 <= v < 2**w (wire k is bit k of v), and
anything else is a ValueError (``duet.InputError``) naming the input and its width. Errors
are ``duet.DuetError`` subclasses: ``InputError`` (your input), ``ProtocolError`` (the run
or the peer), ``NetworkError`` (the connection). Two processes meet with ``listen=`` /
``connect=`` and authenticate each other with ``key=`` (a file from ``duet.keygen``) and
``peer_key=`` (the other party's ``duet-pk:...``).
"""

from ._errors import DuetError, InputError, NetworkError, ProtocolError
from ._native import (
    BUILTIN_CIRCUITS,
    Circuit,
    Program,
    Secret,
    Type,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    arith,
    arith_local,
    compare,
    compare_local,
    eval,
    evaluator,
    garbler,
    keygen,
    load,
    psi_local,
    psi_receiver,
    psi_sender,
    pubkey,
    run_local,
)

__all__ = [
    "BUILTIN_CIRCUITS",
    "Circuit",
    "Program",
    "Secret",
    "Type",
    "bool",
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "DuetError",
    "InputError",
    "NetworkError",
    "ProtocolError",
    "arith",
    "arith_local",
    "compare",
    "compare_local",
    "eval",
    "evaluator",
    "garbler",
    "keygen",
    "load",
    "psi_local",
    "psi_receiver",
    "psi_sender",
    "pubkey",
    "run_local",
]
