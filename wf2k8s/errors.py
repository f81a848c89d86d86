"""The one error type users see for bad pipelines."""

from __future__ import annotations


class ValidationError(ValueError):
    """A pipeline breaks a rule of the ModelArts Workflow specification.

    The message names the object and the field path, for example
    ``JobStep 'train' > spec.schedule_policy.priority: must be 1, 2 or 3, got 5``.
    """

    def __init__(self, where: str, message: str):
        self.where = where
        self.detail = message
        super().__init__(f"{where}: {message}" if where else message)
