"""Cluster DNS on the real cluster: a Service's name, and the per-pod names of a headless Service
(`<hostname>.<subdomain>`, what a distributed job's workers find each other by), resolve from a pod to
the right addresses."""

from __future__ import annotations

import json
import uuid

import pytest

import wf2k8s
from wf2k8s import cluster

from conftest import kubectl

NAMESPACE = "wf2k8s"
IMAGE = f"wf2k8s/runtime:{wf2k8s.__version__}"
DOMAIN = "cluster.local"

#: run in the client pod: each name's IPv4 addresses (or the resolver's error) and the pod's resolv.conf
#: (a name not found yet is asked again for 20 s: the worker's endpoint may reach the DNS server just after)
RESOLVE = """
import json, socket, sys, time
answers = {}
for name in sys.argv[1:]:
    for attempt in range(20):
        try:
            answers[name] = sorted({a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)})
            break
        except OSError as error:
            answers[name] = repr(error)
            time.sleep(1)
print(json.dumps({"answers": answers, "resolv.conf": open("/etc/resolv.conf").read()}))
"""


def pod(name: str, labels: dict[str, str], command: list[str], **spec) -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {"automountServiceAccountToken": False, "terminationGracePeriodSeconds": 0, **spec,
                 "containers": [{"name": "main", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                                 "command": command}]},
    }


def create(manifest: dict) -> None:
    kubectl("create", "-f", "-", stdin=json.dumps(manifest))


def pod_description(name: str) -> str:
    try:
        return kubectl("describe", "pod", name, "-n", NAMESPACE)[-3000:]
    except cluster.ClusterError as problem:
        return str(problem)


def test_service_and_per_pod_names_resolve_in_pods(kube):
    run = uuid.uuid4().hex[:6]
    service, worker, client = f"e2e-dns-{run}", f"e2e-dns-{run}-worker", f"e2e-dns-{run}-client"
    labels = {"app": service}
    try:
        create({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": service, "namespace": NAMESPACE},
                "spec": {"clusterIP": "None", "selector": labels,
                         "ports": [{"name": "rendezvous", "port": 29500}]}})
        create(pod(worker, labels, ["sleep", "600"], hostname="worker-0", subdomain=service))
        try:
            kubectl("wait", "--for=condition=Ready", f"pod/{worker}", "-n", NAMESPACE, "--timeout=120s",
                            timeout=150)
        except cluster.ClusterError as problem:
            pytest.fail(f"the worker pod never became ready ({problem}):\n{pod_description(worker)}")
        worker_ip = json.loads(kubectl("get", "pod", worker, "-n", NAMESPACE, "-o", "json"))["status"]["podIP"]
        api_ip = kubectl("get", "service", "kubernetes", "-n", "default", "-o",
                                 "jsonpath={.spec.clusterIP}").strip()

        expected = {
            f"kubernetes.default.svc.{DOMAIN}": [api_ip],
            "kubernetes.default": [api_ip],                                 # through the search path
            f"worker-0.{service}": [worker_ip],                             # the short per-pod name
            f"worker-0.{service}.{NAMESPACE}.svc.{DOMAIN}": [worker_ip],    # its FQDN
            service: [worker_ip],                                           # the headless Service: its pods
        }
        create(pod(client, {"app": f"{service}-client"}, ["python3", "-c", RESOLVE, *expected],
                   restartPolicy="Never"))
        try:
            kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", f"pod/{client}", "-n", NAMESPACE,
                            "--timeout=120s", timeout=150)
        except cluster.ClusterError as problem:
            pytest.fail(f"the client pod did not succeed ({problem}):\n{pod_description(client)}")
        result = json.loads(kubectl("logs", client, "-n", NAMESPACE).strip().splitlines()[-1])
        assert result["answers"] == expected, f"pod resolv.conf:\n{result['resolv.conf']}"
        assert f"search {NAMESPACE}.svc.{DOMAIN} svc.{DOMAIN} {DOMAIN}" in result["resolv.conf"]
    finally:
        for kind, name in (("pod", client), ("pod", worker), ("service", service)):
            kubectl("delete", kind, name, "-n", NAMESPACE, "--ignore-not-found", "--wait=false")
