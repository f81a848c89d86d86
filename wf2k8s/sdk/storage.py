"""Unified storage (seed 4.3): directories under a root path that is set per run."""

from __future__ import annotations

from wf2k8s.sdk._spec import Checker, Spec, description_size, fail, field, is_name, spec


class StorageValue(Spec):
    """A Storage or a path joined onto one: accepted wherever the seed says "Storage"."""

    def join(self, directory: str = "", with_execution_id: bool | None = None,
             create_dir: bool | None = None) -> StoragePath:
        if directory is None:
            directory = ""
        if not isinstance(directory, str):
            fail(self.label(), "join.directory", f"must be str, got {directory!r}")
        for name, flag in (("with_execution_id", with_execution_id), ("create_dir", create_dir)):
            if flag is not None and not isinstance(flag, bool):
                fail(self.label(), f"join.{name}", f"must be bool, got {flag!r}")
        base = self if isinstance(self, StoragePath) else StoragePath(storage=self)  # type: ignore[arg-type]
        return StoragePath(
            storage=base.storage,
            parts=[*base.parts, directory],
            with_execution_id=base.with_execution_id if with_execution_id is None else with_execution_id,
            create_dir=base.create_dir if create_dir is None else create_dir,
        )


@spec
class Storage(StorageValue):
    """Unified storage (seed 4.3.3): a root directory set per run, with directories joined onto it.

    On Kubernetes: a WorkflowTemplate parameter holding the root path (an S3 prefix on the cluster's S3
    server); a joined path is ``<root>[/<run name>]/<path>``.
    """

    name: str = field(str, required=True, checks=[is_name])
    title: str | None = field(str, default=None)
    description: str | None = field(str, default=None, checks=[description_size])
    create_dir: bool = field(bool, default=False)
    with_execution_id: bool = field(bool, default=False)

    validate_on_init = True

    def check(self, error: Checker) -> None:
        if self.with_execution_id and not self.create_dir:
            error("with_execution_id", "can be True only when create_dir is True")

    def definition(self) -> tuple[object, ...]:
        return (self.title, self.description, self.create_dir, self.with_execution_id)


@spec
class InputStorage(Storage):
    """A Storage for inputs (seed 4.3.2): paths are joined onto the root as they are.

    On Kubernetes: a root-path parameter; ``join`` gives ``<root>/<path>`` on the cluster's S3 server."""


@spec
class OutputStorage(Storage):
    """A Storage for outputs (seed 4.3.2): each run writes under ``<root>/<execution id>/``.

    On Kubernetes: a root-path parameter; the execution id is the Argo run's name."""

    create_dir: bool = field(bool, default=True)
    with_execution_id: bool = field(bool, default=True)


@spec
class StoragePath(StorageValue):
    """``storage.join(...)``: the root of ``storage`` followed by ``parts``.

    On Kubernetes: ``<root parameter>[/<run name>]/<parts>``, resolved when the phase runs."""

    storage: Storage = field(Storage, required=True)
    parts: list[str] = field(str, many=True, factory=list)
    with_execution_id: bool | None = field(bool, default=None)
    create_dir: bool | None = field(bool, default=None)

    def __post_init__(self) -> None:
        if self.with_execution_id is None:
            self.with_execution_id = self.storage.with_execution_id
        if self.create_dir is None:
            self.create_dir = self.storage.create_dir
        super().__post_init__()

    def label(self) -> str:
        return f"Storage {self.storage.name!r} path {self.relative_path()!r}"

    def relative_path(self) -> str:
        """The joined directories, with single slashes; a trailing slash is kept."""
        text = "/".join(p for p in self.parts if p)
        cleaned = "/".join(piece for piece in text.split("/") if piece)
        return cleaned + ("/" if text.endswith("/") and cleaned else "")
