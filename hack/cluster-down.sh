#!/usr/bin/env bash
# Stop the processes hack/cluster-up.sh started, by recorded PID only (a PID is killed
# only if /proc/<pid>/exe still is the binary that was started). Pod containers are
# stopped through containerd before it exits; pod volume mounts are unmounted and the
# tmpfs holding etcd's data is released (the next cluster-up starts from a clean store).
# Caches (binaries, images, rootfs) and PKI are kept, so the next cluster-up is fast.
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${HACK_DIR}/lib/common.sh"
source "${HACK_DIR}/lib/procs.sh"
source "${HACK_DIR}/lib/build.sh"
source "${HACK_DIR}/lib/components.sh"

# Kill the pod containers (tasks in containerd's k8s.io namespace) while containerd is up.
stop_pod_tasks() {
  proc_running containerd || return 0
  local task
  for task in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do
    ctr -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
  done
  sleep 1
  for task in $(ctr -n k8s.io tasks ls -q 2>/dev/null); do
    ctr -n k8s.io tasks delete -f "$task" >/dev/null 2>&1 || true
  done
}

unmount_leftovers() {
  local m
  # Deepest first.
  for m in $(awk -v root="${KUBELET_ROOT}/pods/" 'index($2, root)==1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  if mountpoint -q "${ETCD_DATA_DIR}" && ! proc_running etcd; then
    umount "${ETCD_DATA_DIR}" || true
  fi
}

main() {
  [[ $EUID -eq 0 ]] || die "must run as root"
  local name
  for name in kserve-controller jobset-controller argo-server workflow-controller local-path-provisioner s3 coredns kube-proxy kubelet; do stop_proc "$name"; done
  stop_pod_tasks
  for name in kube-scheduler kube-controller-manager kube-apiserver etcd dockerd containerd; do
    stop_proc "$name"
  done
  unmount_leftovers
  log "cluster stopped"
}
main "$@"
