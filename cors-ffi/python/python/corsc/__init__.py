"""corsc: CORS policy, compiled.

A ``.corspolicy`` file is checked and compiled once into a table; each
request is then answered by corsc's Rust core in time independent of the
policy's size. ``corsc.django``, ``corsc.asgi`` and ``corsc.wsgi`` hold the
middlewares.
"""

from ._corsc import (
    Diagnostic,
    Outcome,
    Policy,
    PolicyError,
    __version__,
    check,
)

__all__ = ["Diagnostic", "Outcome", "Policy", "PolicyError", "check", "__version__"]
