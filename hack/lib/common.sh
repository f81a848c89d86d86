# shellcheck shell=bash
# shellcheck disable=SC2034  # settings used by the other libs
# Common settings and helpers for the wf2k8s offline cluster scripts.
# Sourced by hack/cluster-up.sh, hack/cluster-down.sh and hack/build-*.sh.

HACK_DIR="${HACK_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
REPO_ROOT="$(cd "${HACK_DIR}/.." && pwd)"

# --- pinned versions -------------------------------------------------------
K8S_VERSION="${K8S_VERSION:-v1.34.4}"      # last minor that runs on cgroup v1 by default
ETCD_VERSION="${ETCD_VERSION:-v3.5.35}"
# Argo v4.x is not served by this machine's Go module proxy (403 for every v4 version); v3.7.18, the
# newest v3, is. Its semantics for what wf2k8s emits are v4's (the skipped-outputs fix of v4.0.7 is
# in v3.7.16+). kind-up.sh, with internet, installs the v4 release instead.
ARGO_VERSION="${ARGO_VERSION:-v3.7.18}"
ARGO_MODULE="github.com/argoproj/argo-workflows/v3"
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
LOCAL_PATH_VERSION="${LOCAL_PATH_VERSION:-v0.0.30}"   # rancher/local-path-provisioner: PVCs on host dirs
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"         # cluster DNS, a minimal build (hack/lib/coredns.sh)
PAUSE_TAG="${PAUSE_TAG:-wf2k8s/pause:1.0}"
BASE_IMAGE="wf2k8s/base:bookworm"
ARGOEXEC_IMAGE="quay.io/argoproj/argoexec:${ARGO_VERSION}"
DEBIAN_SUITE="bookworm"

# --- locations -------------------------------------------------------------
WF2K8S_CACHE="${WF2K8S_CACHE:-/var/cache/wf2k8s}"
WF2K8S_STATE="${WF2K8S_STATE:-/var/lib/wf2k8s/cluster}"
BIN_DIR="${WF2K8S_CACHE}/bin"
LOG_DIR="${WF2K8S_STATE}/logs"
PID_DIR="${WF2K8S_STATE}/pids"
PKI_DIR="${WF2K8S_STATE}/pki"
CONF_DIR="${WF2K8S_STATE}/conf"
KUBECONFIG_PATH="${WF2K8S_STATE}/admin.kubeconfig"

# --- network ---------------------------------------------------------------
SERVICE_CIDR="10.96.0.0/12"
API_SERVICE_IP="10.96.0.1"
POD_CIDR="10.244.0.0/24"
BRIDGE_GW_IP="10.244.0.1"
CLUSTER_DOMAIN="cluster.local"                        # served by CoreDNS (hack/lib/coredns.sh)
APISERVER_PORT=6443
S3_PORT="${S3_PORT:-7070}"
S3_ADMIN_PORT="${S3_ADMIN_PORT:-7071}"

# How soon the controller looks at a workflow again (Argo's default, 10 s, is also the gap between a
# step's end and the start of the next: most of a short phase's time on a small cluster).
ARGO_REQUEUE_TIME="${ARGO_REQUEUE_TIME:-2s}"
# Argo's server (its API; `argo --argo-server`): on the host, plain HTTP, callers' own tokens
ARGO_SERVER_PORT="${ARGO_SERVER_PORT:-2746}"
# What Argo counts as a transient error: the phases' retryStrategy (OnTransientError) runs a phase again
# when its pod was lost to the system, not when its code failed. A deleted pod is "pod deleted", or,
# when its containers stopped first, its main container's SIGTERM exit ("(exit code 143)"; the runtime
# reports its code's own failures in words); an evicted pod says so, or that its node was low on resources.
ARGO_TRANSIENT_ERROR_PATTERN="${ARGO_TRANSIENT_ERROR_PATTERN:-pod deleted|\(exit code 143\)|[Ee]victed|low on resource|[Pp]reempted}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-wf2k8sdev}"
S3_SECRET_KEY="${S3_SECRET_KEY:-wf2k8sdev-secret}"
S3_BUCKET="${S3_BUCKET:-wf2k8s}"
NAMESPACE="wf2k8s"
# MLflow tracking server of manifests/mlflow.yaml: a Service with a fixed ClusterIP, since
# the host has no cluster DNS. Written into ConfigMap wf2k8s-config.
MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-http://10.96.0.50:5000}"

export GOMODCACHE="${WF2K8S_CACHE}/go/mod"
export GOCACHE="${WF2K8S_CACHE}/go/build"
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

log() { printf '[wf2k8s %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wait_for DESCRIPTION TIMEOUT_SECONDS CMD... : poll CMD until it succeeds.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > timeout )); then
      die "timed out after ${timeout}s waiting for ${what}"
    fi
    sleep 1
  done
  log "${what}: ok ($((SECONDS - start))s)"
}

# Primary IPv4 address of the node (source address of the default route).
node_ip() {
  ip -4 route get 1.1.1.1 2>/dev/null | awk '{for(i=1;i<=NF;i++) if($i=="src"){print $(i+1); exit}}'
}

# Version of the wf2k8s python package, used to tag images under containers/.
project_version() {
  local f="${REPO_ROOT}/wf2k8s/__init__.py" v=""
  if [[ -f "$f" ]]; then
    v="$(sed -n 's/^__version__[[:space:]]*=[[:space:]]*["'\'']\([^"'\'']*\)["'\''].*/\1/p' "$f" | head -n1)"
  fi
  echo "${v:-0.1.0}"
}

# First deb mirror URI from the machine's apt sources (deb822 or one-line format).
apt_mirror() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri="$(awk '/^URIs:/{print $2}' /etc/apt/sources.list.d/*.sources | grep -v -- '-security' | head -n1)"
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list | grep -v -- '-security' | head -n1)"
  fi
  [[ -n "$uri" ]] || die "cannot find a Debian mirror in the apt sources"
  echo "$uri"
}
