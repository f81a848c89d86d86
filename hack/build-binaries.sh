#!/usr/bin/env bash
# Build (or reuse from cache) all third-party binaries the local cluster needs.
# Usage: hack/build-binaries.sh [kubernetes|etcd|argo|versitygw|local_path|coredns|pause ...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "${HACK_DIR}/lib/build.sh"
source "${HACK_DIR}/lib/coredns.sh"

main() {
  local targets=("$@")
  (( ${#targets[@]} )) || targets=(kubernetes etcd argo argo_cli versitygw local_path coredns pause)
  local t
  for t in "${targets[@]}"; do
    "build_${t}"
  done
}
main "$@"
