"""The exceptions Duet raises. Each carries the Rust message on one line."""


class DuetError(Exception):
    """Base class of every error Duet raises."""


class InputError(DuetError, ValueError):
    """A bad local input or option: an unknown circuit or a malformed file, an unknown,
    missing or doubly-given input, a value that does not fit its width, a bad option.
    Raised before anything is sent to a peer."""


class ProtocolError(DuetError):
    """The run failed: the peer misbehaved, or the two parties disagree (another circuit,
    the same role, other options, other input ownership)."""


class NetworkError(ProtocolError, ConnectionError):
    """The connection failed: nobody to connect to or no peer within the connect timeout,
    the peer closed the connection, or it did not answer in time."""
