#!/usr/bin/env bash
# Bring up the offline single-node Kubernetes + Argo Workflows + S3 cluster.
# Idempotent: on a running cluster it verifies health, re-applies manifests and exits.
# Progress goes to stderr; the last line of stdout is KUBECONFIG=<path>.
#
# Env: WF2K8S_CACHE (default /var/cache/wf2k8s), WF2K8S_STATE (default /var/lib/wf2k8s/cluster),
#      WF2K8S_SMOKE=auto|always|never (auto: only when a component was (re)started).
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${HACK_DIR}/lib/common.sh"
for _lib in host build images pki procs components manifests argo; do
  source "${HACK_DIR}/lib/${_lib}.sh"
done

STARTED_SOMETHING=0

build_everything() {
  # Binaries are independent builds; run them in parallel (Kubernetes dominates).
  local pids=() logs="${WF2K8S_CACHE}/logs" t rc=0
  mkdir -p "$logs"
  for t in kubernetes etcd argo versitygw pause; do
    binary_built "$t" && continue
    log "building ${t} in the background (log: ${logs}/build-${t}.log)"
    ( "build_${t}" ) >"${logs}/build-${t}.log" 2>&1 &
    pids+=("$!:$t")
  done
  # The Debian rootfs for the base image (network + CPU bound) is made meanwhile.
  if [[ ! -s "$(base_rootfs_tar)" ]]; then
    ( build_base_rootfs ) >"${logs}/build-rootfs.log" 2>&1 &
    pids+=("$!:rootfs")
  fi
  local p
  for p in "${pids[@]}"; do
    wait "${p%%:*}" || { rc=1; log "build of ${p#*:} failed; see ${logs}/build-${p#*:}.log"; tail -n 20 "${logs}/build-${p#*:}.log" >&2; }
  done
  (( rc == 0 )) || die "binary builds failed"
}

start_runtime() {
  start_containerd
  start_dockerd
  build_all_images
  load_all_images
}

start_control_plane() {
  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler
}

start_node() {
  start_kubelet
  start_kube_proxy
}

wait_for_service_accounts() {
  wait_for "default ServiceAccount" 60 kubectl_admin -n default get serviceaccount default
  wait_for "kube-root-ca.crt in ${NAMESPACE}" 60 kubectl_admin -n "${NAMESPACE}" get configmap kube-root-ca.crt
  wait_for "ServiceAccount wf2k8s-runner" 60 kubectl_admin -n "${NAMESPACE}" get serviceaccount wf2k8s-runner
}

apply_manifests() {
  install_argo_crds
  export WF2K8S_S3_ENDPOINT; WF2K8S_S3_ENDPOINT="$(s3_endpoint)"
  apply_project_manifests kubectl_admin
  kubectl_admin apply -f "${REPO_ROOT}/manifests/local/" >&2
  wait_for_service_accounts
}

main() {
  local t0=$SECONDS
  [[ $EUID -eq 0 ]] || die "must run as root"
  mkdir -p "${WF2K8S_CACHE}" "${WF2K8S_STATE}" "${LOG_DIR}" "${PID_DIR}" "${CONF_DIR}"
  ensure_host_packages
  ensure_kernel_settings
  build_everything
  ensure_pki
  start_runtime
  start_control_plane
  start_node
  start_s3
  ensure_bucket
  apply_manifests
  start_argo_controller
  case "${WF2K8S_SMOKE:-auto}" in
    always) run_smoke_workflow ;;
    auto) if (( STARTED_SOMETHING )); then run_smoke_workflow; else log "cluster was already running; smoke workflow skipped (WF2K8S_SMOKE=always to force)"; fi ;;
    never) ;;
  esac
  log "cluster ready in $((SECONDS - t0))s: S3 ${WF2K8S_S3_ENDPOINT} bucket ${S3_BUCKET}, namespace ${NAMESPACE}"
  echo "KUBECONFIG=${KUBECONFIG_PATH}"
}

main "$@"
