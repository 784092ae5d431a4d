"""Type stubs of the `duet` package (the functions live in the native `duet._native`)."""

import builtins
import os
from typing import Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final, overload

from ._errors import DuetError as DuetError
from ._errors import InputError as InputError
from ._errors import NetworkError as NetworkError
from ._errors import ProtocolError as ProtocolError

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
    def streamed(self) -> builtins.bool:
        """True if the slot program is read from a file as runs go."""

_CircuitArg = Union[Circuit, _StrPath]

@final
class Type:
    """The type of a secret value: `duet.bool`, `duet.u8` ... `duet.u64`, `duet.i8` ...
    `duet.i64`."""

    @property
    def name(self) -> str: ...
    @property
    def bits(self) -> int: ...
    @property
    def signed(self) -> builtins.bool: ...
    @property
    def min(self) -> int: ...
    @property
    def max(self) -> int: ...

bool: Type
u8: Type
u16: Type
u32: Type
u64: Type
i8: Type
i16: Type
i32: Type
i64: Type

_Operand = Union["Secret", int]

@final
class Secret:
    """A secret value of a `duet.Program`; operators record gates. Integer arithmetic wraps;
    `//` and `%` truncate toward zero; comparisons give a `duet.bool` secret, which has no
    Python truth value (use `select`)."""

    @property
    def type(self) -> Type: ...
    def __bool__(self) -> builtins.bool: ...
    def __add__(self, o: _Operand, /) -> Secret: ...
    def __radd__(self, o: _Operand, /) -> Secret: ...
    def __sub__(self, o: _Operand, /) -> Secret: ...
    def __rsub__(self, o: _Operand, /) -> Secret: ...
    def __mul__(self, o: _Operand, /) -> Secret: ...
    def __rmul__(self, o: _Operand, /) -> Secret: ...
    def __floordiv__(self, o: _Operand, /) -> Secret: ...
    def __rfloordiv__(self, o: _Operand, /) -> Secret: ...
    def __mod__(self, o: _Operand, /) -> Secret: ...
    def __rmod__(self, o: _Operand, /) -> Secret: ...
    def __and__(self, o: _Operand, /) -> Secret: ...
    def __rand__(self, o: _Operand, /) -> Secret: ...
    def __or__(self, o: _Operand, /) -> Secret: ...
    def __ror__(self, o: _Operand, /) -> Secret: ...
    def __xor__(self, o: _Operand, /) -> Secret: ...
    def __rxor__(self, o: _Operand, /) -> Secret: ...
    def __lt__(self, o: _Operand, /) -> Secret: ...
    def __le__(self, o: _Operand, /) -> Secret: ...
    def __gt__(self, o: _Operand, /) -> Secret: ...
    def __ge__(self, o: _Operand, /) -> Secret: ...
    def __eq__(self, o: _Operand, /) -> Secret: ...  # type: ignore[override]
    def __ne__(self, o: _Operand, /) -> Secret: ...  # type: ignore[override]
    def __invert__(self) -> Secret: ...
    def __neg__(self) -> Secret: ...
    def __lshift__(self, n: int, /) -> Secret: ...
    def __rshift__(self, n: int, /) -> Secret: ...
    def select(self, a: _Operand, b: _Operand) -> Secret:
        """`a` where this bool secret is true, else `b`."""
    def min(self, other: _Operand) -> Secret: ...
    def max(self, other: _Operand) -> Secret: ...
    def cast(self, type: Type) -> Secret: ...

_Value = Union[int, builtins.bool]

@final
class Program:
    """A typed secret program: inputs with names, types and owners; outputs with names and
    readers. Runs in the clear (`eval`), in one process (`duet.run_local`) or over TCP
    (`duet.garbler` / `duet.evaluator`)."""

    def __init__(self) -> None: ...
    def input(self, name: str, type: Type, *, owner: _Role) -> Secret: ...
    def constant(self, value: _Value, type: Type) -> Secret: ...
    def output(self, name: str, value: Secret, *, reveal: _Reveal = "both") -> None: ...
    def eval(self, inputs: Mapping[str, _Value]) -> Dict[str, _Value]: ...
    @property
    def and_gates(self) -> int: ...
    @property
    def inputs(self) -> List[Tuple[str, Type, str]]: ...
    @property
    def outputs(self) -> List[Tuple[str, Type, str]]: ...
#: The input values one party owns: {index in the circuit header: unsigned int}.
_Owned = Mapping[int, int]

def load(circuit: _StrPath, *, stream: builtins.bool = False) -> Circuit:
    """Load a Bristol Fashion file, a built-in circuit or a saved slot program.

    Raises `InputError` for an unknown name or a malformed file (naming file and line)."""

@overload
def eval(circuit: Program, inputs: Mapping[str, _Value]) -> Dict[str, _Value]: ...
@overload
def eval(circuit: _CircuitArg, inputs: Union[Sequence[int], Mapping[int, int]]) -> List[int]:
    """Evaluate in the clear: one unsigned int per input value (value i below
    2**width_i), one int per output value. Raises `InputError` (a `ValueError`) for a
    wrong count or a value that does not fit, `TypeError` for a non-int."""

@overload
def run_local(
    circuit: Program,
    garbler: Mapping[str, _Value],
    evaluator: Mapping[str, _Value],
) -> Dict[str, _Value]: ...
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
    circuit: Program,
    *,
    inputs: Mapping[str, _Value],
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: builtins.bool = False,
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> Dict[str, _Value]: ...
@overload
def garbler(
    circuit: _CircuitArg,
    *,
    inputs: _Owned,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: builtins.bool = False,
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
    insecure: builtins.bool = False,
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
    circuit: Program,
    *,
    inputs: Mapping[str, _Value],
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: builtins.bool = False,
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> Dict[str, _Value]: ...
@overload
def evaluator(
    circuit: _CircuitArg,
    *,
    inputs: _Owned,
    listen: Optional[str] = None,
    connect: Optional[str] = None,
    key: Optional[_StrPath] = None,
    peer_key: Optional[str] = None,
    insecure: builtins.bool = False,
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
    insecure: builtins.bool = False,
    reveal: _Reveal = "both",
    scheme: _Scheme = "half-gates",
    timeout: float = 30.0,
    connect_timeout: float = 30.0,
) -> List[List[int]]:
    """The evaluator over TCP; as `garbler`."""

def compare_local(
    a: int, b: int, *, bits: int = 64, signed: builtins.bool = True
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
    insecure: builtins.bool = False,
    bits: int = 64,
    signed: builtins.bool = True,
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
    insecure: builtins.bool = False,
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
    insecure: builtins.bool = False,
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
    insecure: builtins.bool = False,
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
