"""Sharing released workflows (seed 4.9.2) the Kubernetes way: RBAC on the WorkflowTemplate.

A released workflow is a WorkflowTemplate; its "whitelist" is a RoleBinding that lets the
listed users read that template and start runs of it in its namespace.
"""

from __future__ import annotations

from wf2k8s.errors import ValidationError

ROLE_PREFIX = "wf2k8s-gallery-"


def whitelist_role(content_id: str, namespace: str) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": ROLE_PREFIX + content_id, "namespace": namespace},
        "rules": [
            {"apiGroups": ["argoproj.io"], "resources": ["workflowtemplates"], "resourceNames": [content_id],
             "verbs": ["get"]},
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


def _check(content_id: str, user_groups: list[str]) -> None:
    if not content_id:
        raise ValidationError("whitelist > content_id", "is mandatory (the released workflow's name)")
    if not user_groups or not all(isinstance(u, str) and u for u in user_groups):
        raise ValidationError("whitelist > user_groups", "must be a non-empty list of user names")


def add_whitelist_users(content_id: str, version_num: str | None = None, user_groups: list[str] | None = None,
                        namespace: str = "wf2k8s") -> list[dict]:
    """Let ``user_groups`` read the released workflow ``content_id`` and run it."""
    from wf2k8s.cluster import apply_manifest, get_object

    _check(content_id, user_groups or [])
    current = get_object("rolebinding", ROLE_PREFIX + content_id, namespace)
    users = {s["name"] for s in (current or {}).get("subjects") or []} | set(user_groups or [])
    manifests = [whitelist_role(content_id, namespace), whitelist_binding(content_id, namespace, sorted(users))]
    for manifest in manifests:
        apply_manifest(manifest)
    return manifests


def delete_whitelist_users(content_id: str, version_num: str | None = None, user_groups: list[str] | None = None,
                           namespace: str = "wf2k8s") -> list[dict]:
    """Withdraw the access ``add_whitelist_users`` gave."""
    from wf2k8s.cluster import apply_manifest, get_object

    _check(content_id, user_groups or [])
    current = get_object("rolebinding", ROLE_PREFIX + content_id, namespace)
    users = {s["name"] for s in (current or {}).get("subjects") or []} - set(user_groups or [])
    binding = whitelist_binding(content_id, namespace, sorted(users))
    apply_manifest(binding)
    return [binding]
