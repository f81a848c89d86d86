"""Sharing released workflows (seed 4.9.2) the Kubernetes way: RBAC on the WorkflowTemplate.

A released workflow is a WorkflowTemplate; its "whitelist" is a RoleBinding that lets the
listed users read that template and start runs of it in its namespace, and nothing else: the
admission policy of manifests/gallery-shares.yaml refuses any other Workflow they submit.
"""

from __future__ import annotations

import re

from wf2k8s import kube
from wf2k8s.errors import ValidationError
from wf2k8s.sdk import platform

ROLE_PREFIX = "wf2k8s-gallery-"


def whitelist_role(content_id: str, namespace: str) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": ROLE_PREFIX + content_id, "namespace": namespace},
        "rules": [
            # "run": the custom verb manifests/gallery-shares.yaml checks, so that the "create" below lets the
            # user start runs of this template only, never submit Workflows of their own
            {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "resourceNames": [content_id],
             "verbs": ["get", "run"]},
            {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create", "get", "list", "watch"]},
        ],
    }


def whitelist_binding(content_id: str, namespace: str, users: list[str]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": ROLE_PREFIX + content_id, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ROLE_PREFIX + content_id},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u} for u in sorted(users)],
    }


def asset_name(content_id: str, version_num: str | None) -> str:
    """The WorkflowTemplate of version ``version_num`` of gallery asset ``content_id``: ``<id>-v<x-y-z>``
    (``content_id`` may already be that name, as ``release_to_gallery`` returns it)."""
    if version_num is None:
        return content_id
    if not isinstance(version_num, str) or not re.fullmatch(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}", version_num):
        raise ValidationError("whitelist > version_num", f"must be x.x.x, got {version_num!r}")
    suffix = "-v" + version_num.replace(".", "-")
    return content_id if content_id.endswith(suffix) else content_id + suffix


def _check(content_id: str, user_groups: list[str]) -> None:
    if not content_id:
        raise ValidationError("whitelist > content_id", "is mandatory (the released workflow's name)")
    if not user_groups or not all(isinstance(u, str) and u for u in user_groups):
        raise ValidationError("whitelist > user_groups", "must be a non-empty list of user names")


def add_whitelist_users(content_id: str, version_num: str | None = None, user_groups: list[str] | None = None,
                        namespace: str = "wf2k8s") -> list[dict]:
    """Let ``user_groups`` read the released workflow ``content_id`` (its version ``version_num``) and run it."""
    _check(content_id, user_groups or [])
    content_id = asset_name(content_id, version_num)
    current = platform.cluster.get_object("rolebinding", ROLE_PREFIX + content_id, namespace)
    users = {s["name"] for s in (current or {}).get("subjects") or []} | set(user_groups or [])
    manifests = [whitelist_role(content_id, namespace), whitelist_binding(content_id, namespace, sorted(users))]
    for manifest in manifests:
        platform.cluster.apply_manifest(manifest)
    return manifests


def delete_whitelist_users(content_id: str, version_num: str | None = None, user_groups: list[str] | None = None,
                           namespace: str = "wf2k8s") -> list[dict]:
    """Withdraw the access ``add_whitelist_users`` gave."""
    _check(content_id, user_groups or [])
    content_id = asset_name(content_id, version_num)
    current = platform.cluster.get_object("rolebinding", ROLE_PREFIX + content_id, namespace)
    users = {s["name"] for s in (current or {}).get("subjects") or []} - set(user_groups or [])
    binding = whitelist_binding(content_id, namespace, sorted(users))
    platform.cluster.apply_manifest(binding)
    return [binding]


VISIBILITIES = ("public", "group", "private")
GALLERY_LABEL = "wf2k8s.io/gallery-asset"
GALLERY_VERSION_LABEL = "wf2k8s.io/gallery-version"


def next_version(existing: list[str]) -> str:
    """The next x.y.z after the highest of ``existing`` (1.0.0 first, the seed's first asset version)."""
    if not existing:
        return "1.0.0"
    major, minor, patch = max(tuple(int(p) for p in v.split(".")) for v in existing)
    return f"{major}.{minor}.{patch + 1}"


def gallery_asset(template: dict, content_id: str, version: str, title: str, desc: str | None,
                  visibility: str) -> dict:
    """A released workflow as a versioned asset: a WorkflowTemplate of its own, labelled."""
    asset = {**template, "metadata": {**template["metadata"]}}
    meta = asset["metadata"]
    meta["name"] = asset_name(content_id, version)
    meta["labels"] = {**meta.get("labels", {}), GALLERY_LABEL: content_id, GALLERY_VERSION_LABEL: version,
                      "wf2k8s.io/visibility": visibility}
    meta["annotations"] = {**meta.get("annotations", {}), "workflows.argoproj.io/title": title,
                           **({"workflows.argoproj.io/description": desc} if desc else {})}
    return asset


def release_to_gallery(workflow, content_id: str | None = None, version: str | None = None, desc: str | None = None,
                       title: str | None = None, visibility: str = "private", group_users: list[str] | None = None,
                       **options) -> dict:
    """Publish a workflow as a versioned asset others can run (seed 4.9.2), on the cluster.

    The asset is the WorkflowTemplate ``<content_id>-v<x-y-z>``; ``visibility`` private keeps it to
    the namespace's users, group lets ``group_users`` read and run it, public lets every
    authenticated user.
    """
    where = f"{workflow.label()} > release_to_gallery"
    if visibility not in VISIBILITIES:
        raise ValidationError(f"{where}.visibility", f"must be one of {', '.join(VISIBILITIES)}, got {visibility!r}")
    if visibility == "group" and not group_users:
        raise ValidationError(f"{where}.group_users", "is mandatory when visibility is group")
    if version is not None and not re.fullmatch(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}", version):
        raise ValidationError(f"{where}.version", f"must be x.x.x, got {version!r}")
    template = workflow.to_workflow_template(**options)
    namespace = template["metadata"].get("namespace", "wf2k8s")
    content_id = content_id or template["metadata"]["name"]
    if version is None:
        listed = kube.list_objects("workflowtemplates", namespace, f"{GALLERY_LABEL}={content_id}")
        version = next_version([t["metadata"]["labels"][GALLERY_VERSION_LABEL] for t in listed])
    asset = gallery_asset(template, content_id, version, title or workflow.name, desc, visibility)
    platform.cluster.apply_manifest(asset)
    name = asset["metadata"]["name"]
    if visibility == "group":
        add_whitelist_users(name, version, group_users, namespace)
    elif visibility == "public":
        platform.cluster.apply_manifest(whitelist_role(name, namespace))
        binding = whitelist_binding(name, namespace, [])
        binding["subjects"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                "name": "system:authenticated"}]
        platform.cluster.apply_manifest(binding)
    return asset
