"""A witness running on loopback, as the tests see it."""

from dataclasses import dataclass

from databorder.witness.app import Witness


@dataclass(frozen=True)
class Running:
    witness: Witness
    url: str

    @property
    def vkey(self) -> str:
        return self.witness.verifier.vkey

    @property
    def spec(self) -> str:
        """How the log lists it in DATABORDER_WITNESSES."""
        return f"{self.url} {self.vkey}"
