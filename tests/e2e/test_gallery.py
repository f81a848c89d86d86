"""Seed 4.9.2 on Kubernetes: versioned assets and their whitelists are WorkflowTemplates and RBAC."""

from __future__ import annotations

import json

import wf2k8s as wf
from wf2k8s import cluster

from test_semantics import job


def test_release_to_gallery_versions_and_whitelist(kube, code):
    workflow = wf.Workflow(name="gallery-demo", desc="an asset", steps=[job("train", code)])
    first = workflow.release_to_gallery(title="Gallery demo", visibility="group", group_users=["alice"])
    second = workflow.release_to_gallery(title="Gallery demo")
    assert first["metadata"]["name"].startswith("gallery-demo-v")
    versions = json.loads(cluster.kubectl("get", "workflowtemplates", "-n", "wf2k8s", "-l",
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
