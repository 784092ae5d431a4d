"""Type stubs of the `duet` package (the functions live in the native `duet._native`)."""

import os
from typing import Dict, List, Literal, Mapping, Optional, Sequence, Union, final, overload

from ._errors import DuetError as DuetError
from ._errors import InputError as InputError
from ._errors import NetworkError as NetworkError
from ._errors import ProtocolError as ProtocolError

__all__ = [
    "BUILTIN_CIRCUITS",
    "Circuit",
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

_StrPath = Union[str, "os.PathLike[str]"]
_Reveal = Literal["both", "garbler", "evaluator"]
_Scheme = Literal["half-gates", "three-halves"]
_Role = Literal["garbler", "evaluator"]
_Item = Union[str, bytes]

#: The names of the built-in circuits (`aes_128`, `sha256`, ...).
BUILTIN_CIRCUITS: List[str]

@final
class Circuit:
    """A circuit loaded once (`duet.load`) to run many times without re-parsing."""

    @property
    def name(self) -> str:
        """The name or path it was loaded from."""
    @property
    def inputs(self) -> List[int]:
        """Width in bits of each input value, in header order."""
    @property
    def outputs(self) -> List[int]:
        """Width in bits of each output value, in header order."""
    @property
    def and_gates(self) -> int:
        """AND gates (32 bytes each in a half-gates run)."""
    @property
    def xor_gates(self) -> int:
        """XOR gates (free)."""
    @property
    def streamed(self) -> bool:
        """True if the slot program is read from a file as runs go."""

_CircuitArg = Union[Circuit, _StrPath]
#: The input values one party owns: {index in the circuit header: unsigned int}.
_Owned = Mapping[int, int]

def load(circuit: _StrPath, *, stream: bool = False) -> Circuit:
    """Load a Bristol Fashion file, a built-in circuit or a saved slot program.

    Raises `InputError` for an unknown name or a malformed file (naming file and line)."""

def eval(circuit: _CircuitArg, inputs: Union[Sequence[int], Mapping[int, int]]) -> List[int]:
    """Evaluate in the clear: one unsigned int per input value (value i below
    2**width_i), one int per output value. Raises `InputError` (a `ValueError`) for a
    wrong count or a value that does not fit, `TypeError` for a non-int."""

@overload
def run_local(
    circuit: _CircuitArg,
    garbler: _Owned,
    evaluator: _Owned,
    *,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
) -> List[int]: ...
@overload
def run_local(
    circuit: _CircuitArg,
    garbler: Sequence[_Owned],
    evaluator: Sequence[_Owned],
    *,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
) -> List[List[int]]:
    """Both parties in this process (full protocol, in-memory channel). A dict per party
    runs once and returns one int per output value; two lists of dicts run a batch in one
    session and return one list per instance."""

@overload
def garbler(
    circuit: _CircuitArg,
    *,
    inputs: _Owned,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[int]: ...
@overload
def garbler(
    circuit: _CircuitArg,
    *,
    inputs: Sequence[_Owned],
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[List[int]]:
    """The garbler over TCP (`listen="HOST:PORT"` or `connect=`); `key` / `peer_key`
    encrypt and authenticate the channel. Returns the outputs this party learns (empty if
    only the peer learns them). Timeouts in seconds."""

@overload
def evaluator(
    circuit: _CircuitArg,
    *,
    inputs: _Owned,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[int]: ...
@overload
def evaluator(
    circuit: _CircuitArg,
    *,
    inputs: Sequence[_Owned],
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[List[int]]:
    """The evaluator over TCP; as `garbler`."""

def compare_local(
    a: int, b: int, *, bits: int = 64, signed: bool = True
) -> Literal["less", "equal", "greater"]:
    """Secure comparison with both parties in this process: `a` (the garbler's) relative
    to `b` (the evaluator's). `bits` in 1..=64."""

def compare(
    value: int,
    *,
    role: _Role,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    bits: int = 64,
    signed: bool = True,
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> Literal["less", "equal", "greater"]:
    """One party of a secure comparison over TCP: the garbler's value relative to the
    evaluator's."""

def psi_local(sender: Sequence[_Item], receiver: Sequence[_Item]) -> List[_Item]:
    """Private set intersection in this process: the receiver's items also held by the
    sender, in the receiver's order (str hashed as UTF-8; duplicates count once)."""

def psi_sender(
    items: Sequence[_Item],
    *,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> None:
    """The PSI sender over TCP: learns nothing."""

def psi_receiver(
    items: Sequence[_Item],
    *,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[_Item]:
    """The PSI receiver over TCP: returns its items that the sender also holds."""

def arith_local(
    folder: _StrPath,
    garbler: Mapping[str, int],
    evaluator: Mapping[str, int],
    *,
    ell: Literal[8, 16, 32, 64] = 64,
    settings: Optional[_StrPath] = None,
    scheme: _Scheme = "half-gates",
) -> Dict[str, int]:
    """A circom-2-arithc circuit (folder with circuit.txt and circuit_info.json) run
    two-party in this process on shares mod 2**ell; returns {output name: signed int}."""

def arith(
    folder: _StrPath,
    *,
    role: _Role,
    inputs: Mapping[str, int],
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: bool = False,
    ell: Literal[8, 16, 32, 64] = 64,
    settings: Optional[_StrPath] = None,
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> Dict[str, int]:
    """One party of a circom-2-arithc circuit run over TCP."""

def keygen(path: _StrPath) -> str:
    """Write a new key pair to `path` (mode 0600, never overwritten); returns its public
    key `duet-pk:...` for the other party's `peer_key`."""

def pubkey(path: _StrPath) -> str:
    """The public key `duet-pk:...` of a key-pair or public-key file."""
