"""Seed 4.9.2 on Kubernetes: versioned assets and their whitelists are WorkflowTemplates and RBAC."""

from __future__ import annotations

import json

import wf2k8s as wf
from wf2k8s import cluster
from wf2k8s.backends.argo.compiler import run_manifest

from test_semantics import job
from conftest import kubectl


def test_release_to_gallery_versions_and_whitelist(kube, code):
    workflow = wf.Workflow(name="gallery-demo", desc="an asset", steps=[job("train", code)])
    first = workflow.release_to_gallery(title="Gallery demo", visibility="group", group_users=["alice"])
    second = workflow.release_to_gallery(title="Gallery demo")
    assert first["metadata"]["name"].startswith("gallery-demo-v")
    versions = json.loads(kubectl("get", "workflowtemplates", "-n", "wf2k8s", "-l",
                                          "wf2k8s.io/gallery-asset=gallery-demo", "-o", "json"))["items"]
    numbers = sorted(t["metadata"]["labels"]["wf2k8s.io/gallery-version"] for t in versions)
    first_version = first["metadata"]["labels"]["wf2k8s.io/gallery-version"]
    second_version = second["metadata"]["labels"]["wf2k8s.io/gallery-version"]
    assert {first_version, second_version} <= set(numbers)
    assert tuple(map(int, second_version.split("."))) > tuple(map(int, first_version.split(".")))
    name = first["metadata"]["name"]
    binding = cluster.get_object("rolebinding", f"wf2k8s-gallery-{name}", "wf2k8s")
    assert [s["name"] for s in binding["subjects"]] == ["alice"]
    wf.add_whitelist_users(content_id=name, version_num=first_version, user_groups=["bob"])
    binding = cluster.get_object("rolebinding", f"wf2k8s-gallery-{name}", "wf2k8s")
    assert sorted(s["name"] for s in binding["subjects"]) == ["alice", "bob"]
    wf.delete_whitelist_users(content_id=name, version_num=first_version, user_groups=["alice"])
    binding = cluster.get_object("rolebinding", f"wf2k8s-gallery-{name}", "wf2k8s")
    assert [s["name"] for s in binding["subjects"]] == ["bob"]


def create_as(user: str, manifest: dict, *options: str) -> str:
    """`kubectl create` of ``manifest`` as ``user`` (impersonated); the error text when refused, else ""."""
    try:
        kubectl("create", f"--as={user}", *options, "-f", "-", stdin=json.dumps(manifest))
    except cluster.ClusterError as refused:
        return str(refused)
    return ""


def test_a_gallery_share_runs_its_template_and_nothing_else(kube, code):
    """A user the asset is shared with starts runs of it; any other Workflow they submit is refused by the
    admission policy (manifests/gallery-shares.yaml), although their Role lets them create Workflows."""
    workflow = wf.Workflow(name="gallery-share", desc="shared", steps=[job("train", code)])
    asset = workflow.release_to_gallery(title="Shared", visibility="group", group_users=["carol"])
    others = wf.Workflow(name="gallery-private", desc="not shared", steps=[job("train", code)]).release_to_gallery()
    name = asset["metadata"]["name"]
    run = run_manifest(asset, cluster.run_name(name), {})
    assert create_as("carol", run) == ""
    assert cluster.follow(run["metadata"]["name"], "wf2k8s", progress=None, timeout=600)["phase"] == "Succeeded"

    own = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
           "metadata": {"generateName": "mine-", "namespace": "wf2k8s"},
           "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {
               "image": "wf2k8s/runtime:" + wf.__version__, "command": ["true"],
               "securityContext": {"privileged": True}}}]}}
    assert "must run a template shared with you" in create_as("carol", own)
    patched = run_manifest(asset, cluster.run_name(name), {})
    patched["spec"]["podSpecPatch"] = '{"hostPID": true}'
    assert "may set spec.workflowTemplateRef and spec.arguments.parameters only" in create_as("carol", patched)
    not_shared = run_manifest(others, cluster.run_name(others["metadata"]["name"]), {})
    assert f"WorkflowTemplate {others['metadata']['name']} is not shared with you" in create_as("carol", not_shared)
    # the namespace's editors still submit Workflows of their own (wf2k8s-pipeline-author is part of "edit")
    cluster.apply_manifest({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": {"name": "e2e-editor-dave", "namespace": "wf2k8s"},
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "dave"}]})
    plain = {**own, "spec": {**own["spec"], "templates": [
        {"name": "main", "container": {"image": "wf2k8s/runtime:" + wf.__version__, "command": ["true"]}}]}}
    assert create_as("dave", plain, "--dry-run=server") == ""
    assert "must run a template shared with you" in create_as("carol", plain, "--dry-run=server")
