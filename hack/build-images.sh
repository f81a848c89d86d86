#!/usr/bin/env bash
# (Re)build the local images and, when the cluster's containerd runs, load them into it:
#   wf2k8s/base:bookworm, the pause image, quay.io/argoproj/argoexec:<argo version>,
#   and wf2k8s/<name>:<wf2k8s version> for every containers/<name>/Dockerfile.
# Use after editing containers/*: images are rebuilt only when their inputs changed.
# Needs dockerd running (cluster-up.sh starts it).
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${HACK_DIR}/lib/common.sh"
for _lib in build procs images components; do source "${HACK_DIR}/lib/${_lib}.sh"; done

main() {
  docker version >/dev/null 2>&1 || die "dockerd is not running (start the cluster with hack/cluster-up.sh)"
  build_pause
  build_argo
  build_all_images
  if proc_running containerd; then load_all_images; fi
  docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^(wf2k8s/|quay.io/argoproj/)' >&2
}
main "$@"
