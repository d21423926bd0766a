"""Type stubs of the Rust extension `corsc._corsc` (src/lib.rs)."""

import os
from typing import Mapping, Optional, Sequence, Tuple, Union

__version__: str

_Bytes = Union[str, bytes]

class PolicyError(ValueError):
    """A policy corsc refuses, or a table it cannot load."""

    diagnostics: Sequence["Diagnostic"]
    """Every diagnostic, errors and warnings (empty for a table)."""
    rendered: str
    """The diagnostics as `corsc check` prints them."""

class Diagnostic:
    """One diagnostic of `corsc check`."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def rendered(self) -> str: ...

class Outcome:
    """The answer to one request."""

    @property
    def decision(self) -> str:
        """`pass`, `preflight-allowed`, `preflight-denied`, `actual-allowed` or `actual-denied`."""
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def policy(self) -> Optional[str]: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def is_preflight(self) -> bool: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def headers(self) -> Sequence[Tuple[str, str]]: ...
    @property
    def raw_headers(self) -> Sequence[Tuple[bytes, bytes]]: ...

class Policy:
    """A checked, compiled policy; immutable and shareable between threads."""

    @staticmethod
    def from_source(text: str, filename: str = "<string>") -> "Policy": ...
    @staticmethod
    def from_file(path: Union[str, "os.PathLike[str]"]) -> "Policy": ...
    @staticmethod
    def from_table(data: bytes) -> "Policy": ...
    def evaluate(
        self,
        method: _Bytes,
        path: _Bytes,
        origin: Optional[_Bytes] = None,
        request_method: Optional[_Bytes] = None,
        request_headers: Optional[_Bytes] = None,
        request_private_network: Optional[_Bytes] = None,
    ) -> Outcome: ...
    @property
    def warnings(self) -> Sequence[Diagnostic]: ...
    @property
    def names(self) -> Sequence[str]: ...
    @property
    def table(self) -> bytes: ...

def check(text: str, filename: str = "<string>") -> Sequence[Diagnostic]: ...
def translate_django_settings(
    settings: Mapping[str, object], name: str = "django"
) -> Tuple[str, Sequence[Tuple[str, str, str]]]: ...
def policy_argument(text: str) -> Optional[str]: ...
