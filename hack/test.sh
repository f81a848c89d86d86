#!/usr/bin/env bash
# Everything the tests need, then the tests: unit tests, then the end-to-end tests on the local
# cluster (hack/cluster-up.sh builds and starts it; it is cached, so the second time is quick).
# WF2K8S_E2E=0 runs the unit tests only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# the kfp extra too: the Kubeflow Pipelines target's tests fail, not skip, without it
python3 -m pip install --quiet --disable-pip-version-check -e '.[test,kfp,bench]'

# types and lint are a gate: the contract and the graph model are checked strictly (pyproject.toml)
python3 -m ruff check wf2k8s tests benchmarks examples hack
python3 -m mypy

# Graphviz draws `wf2k8s graph` in the unit tests (the cluster's other host packages come with cluster-up)
( source hack/lib/common.sh && source hack/lib/host.sh && ensure_host_packages graphviz )

status=0
python3 -m pytest -q tests/unit || status=$?
# exit code 5 means no tests were collected: not a failure of ours to hide, but not one either
if [[ $status -ne 0 && $status -ne 5 ]]; then exit "$status"; fi

if [[ "${WF2K8S_E2E:-1}" != "0" ]]; then
  kubeconfig_line="$(bash hack/cluster-up.sh | tail -n 1)"
  export "${kubeconfig_line?}"
  # the cluster's settings: its kubectl (matching the server's version), S3 and MLflow addresses
  set -a; source "${WF2K8S_STATE:-/var/lib/wf2k8s/cluster}/cluster.env"; set +a
  status=0
  python3 -m pytest -q -m e2e tests/e2e || status=$?
  if [[ $status -ne 0 && $status -ne 5 ]]; then exit "$status"; fi
fi
