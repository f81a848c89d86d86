"""The runtime's one error type: what fails a phase, said in one line (the step's message in the
Argo UI). A spec that breaks the contract raises the contract's own ``ContractError``."""

from __future__ import annotations


class PhaseError(Exception):
    """The phase cannot do its work: a service that does not answer, a job that exited non-zero, ..."""
