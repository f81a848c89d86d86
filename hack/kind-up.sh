#!/usr/bin/env bash
# For developers WITH internet access: a kind cluster with upstream Argo Workflows
# (pinned install manifest), versitygw as the S3 server, and the same manifests/ as the
# offline cluster (namespace wf2k8s, SA wf2k8s-runner, Secret wf2k8s-s3, ConfigMaps
# wf2k8s-config and artifact-repositories), including Label Studio (manifests/label-studio.yaml;
# WF2K8S_LABEL_STUDIO=0 leaves it out), and upstream KServe in Standard mode with cert-manager
# (pinned release manifests; WF2K8S_KSERVE=0 leaves it out) serving with our wf2k8s/kserve-sklearn
# runtimes, and upstream JobSet (pinned release manifest, the version lib/jobset.sh builds; WF2K8S_JOBSET=0
# leaves it out) for distributed training. Not used in CI (no registry access there); never run on the offline machine.
# Needs: kind, kubectl, docker, envsubst, python3 with PyYAML. Last stdout line: KUBECONFIG=<path>.
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${HACK_DIR}/lib/common.sh"
# Label Studio's generated login and API token (Secret wf2k8s-label-studio), kept for this kind cluster
LABEL_STUDIO_ENV_FILE="${LABEL_STUDIO_ENV_FILE:-${HOME}/.kube/wf2k8s-kind-label-studio.env}"
source "${HACK_DIR}/lib/manifests.sh"
# the scoped S3 accounts' secrets, kept for this kind cluster
S3_ACCOUNTS_FILE="${S3_ACCOUNTS_FILE:-${HOME}/.kube/wf2k8s-kind-s3-accounts.env}"
source "${HACK_DIR}/lib/s3access.sh"
source "${HACK_DIR}/lib/images.sh"
source "${HACK_DIR}/lib/kserve.sh"
source "${HACK_DIR}/lib/jobset.sh"

KIND_CLUSTER="${KIND_CLUSTER:-wf2k8s}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:${K8S_VERSION}}"
# with internet, the Argo release wf2k8s targets (the offline cluster builds v3.7.18: see lib/common.sh)
KIND_ARGO_VERSION="${KIND_ARGO_VERSION:-v4.1.2}"
ARGO_INSTALL_URL="${ARGO_INSTALL_URL:-https://github.com/argoproj/argo-workflows/releases/download/${KIND_ARGO_VERSION}/install.yaml}"
VERSITYGW_IMAGE="${VERSITYGW_IMAGE:-versity/versitygw:${VERSITYGW_VERSION}}"
KIND_KUBECONFIG="${KIND_KUBECONFIG:-${HOME}/.kube/wf2k8s-kind.kubeconfig}"
# the KServe release the offline cluster builds (lib/kserve.sh), and the cert-manager its webhooks need
KIND_KSERVE_VERSION="${KIND_KSERVE_VERSION:-${KSERVE_VERSION}}"
KSERVE_INSTALL_URL="${KSERVE_INSTALL_URL:-https://github.com/kserve/kserve/releases/download/${KIND_KSERVE_VERSION}/kserve.yaml}"
KIND_CERT_MANAGER_VERSION="${KIND_CERT_MANAGER_VERSION:-v1.17.2}"
CERT_MANAGER_URL="${CERT_MANAGER_URL:-https://github.com/cert-manager/cert-manager/releases/download/${KIND_CERT_MANAGER_VERSION}/cert-manager.yaml}"
# the JobSet release the offline cluster builds (lib/jobset.sh); its webhooks use its internal cert-controller
KIND_JOBSET_VERSION="${KIND_JOBSET_VERSION:-${JOBSET_VERSION}}"
JOBSET_INSTALL_URL="${JOBSET_INSTALL_URL:-https://github.com/kubernetes-sigs/jobset/releases/download/${KIND_JOBSET_VERSION}/manifests.yaml}"

k() { kubectl --kubeconfig "${KIND_KUBECONFIG}" "$@"; }

create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "${KIND_CLUSTER}"; then
    kind export kubeconfig --name "${KIND_CLUSTER}" --kubeconfig "${KIND_KUBECONFIG}" >&2
  else
    kind create cluster --name "${KIND_CLUSTER}" --image "${KIND_NODE_IMAGE}" \
      --kubeconfig "${KIND_KUBECONFIG}" --wait 120s >&2
  fi
}

install_argo() {
  k create namespace argo --dry-run=client -o yaml | k apply -f - >&2
  # Pinned release manifest: images are quay.io/argoproj/*:${KIND_ARGO_VERSION}.
  k apply --server-side --force-conflicts -n argo -f "${ARGO_INSTALL_URL}" >&2
  # the settings the offline controller runs with (lib/common.sh): the phases' retries rely on the pattern
  k -n argo set env deploy/workflow-controller "DEFAULT_REQUEUE_TIME=${ARGO_REQUEUE_TIME}" \
    "TRANSIENT_ERROR_PATTERN=${ARGO_TRANSIENT_ERROR_PATTERN}" >&2
  k -n argo rollout status deploy/workflow-controller --timeout=180s >&2
}

install_s3() {
  k apply -f "${REPO_ROOT}/manifests/namespace.yaml" >&2
  k -n "${NAMESPACE}" apply -f - >&2 <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: s3, namespace: ${NAMESPACE}}
spec:
  selector: {matchLabels: {app: wf2k8s-s3}}
  template:
    metadata: {labels: {app: wf2k8s-s3}}
    spec:
      containers:
        - name: versitygw
          image: ${VERSITYGW_IMAGE}
          # internal IAM for the scoped accounts (hack/lib/s3access.sh); the admin API is not in the Service
          args: ["--port", ":${S3_PORT}", "--admin-port", ":${S3_ADMIN_PORT}", "--iam-dir", "/iam", "posix", "/data"]
          env:
            - {name: ROOT_ACCESS_KEY, value: "${S3_ACCESS_KEY}"}
            - {name: ROOT_SECRET_KEY, value: "${S3_SECRET_KEY}"}
          volumeMounts: [{name: data, mountPath: /data}, {name: iam, mountPath: /iam}]
      volumes: [{name: data, emptyDir: {}}, {name: iam, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: s3, namespace: ${NAMESPACE}}
spec:
  selector: {app: wf2k8s-s3}
  ports: [{port: ${S3_PORT}, targetPort: ${S3_PORT}}]
YAML
  k -n "${NAMESPACE}" rollout status deploy/s3 --timeout=180s >&2
}

create_bucket() {
  local ep="http://s3.${NAMESPACE}.svc:${S3_PORT}"
  k -n "${NAMESPACE}" delete pod mkbucket --ignore-not-found >&2
  k -n "${NAMESPACE}" run mkbucket --restart=Never --rm -i --image=curlimages/curl:8.11.1 -- \
    curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "${S3_ACCESS_KEY}:${S3_SECRET_KEY}" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT "${ep}/${S3_BUCKET}" >&2 || true
}

# The scoped accounts and the bucket policy, through a port-forward to the S3 pod (S3 and admin API).
s3_access() {
  local forward
  k -n "${NAMESPACE}" port-forward deploy/s3 "17070:${S3_PORT}" "17071:${S3_ADMIN_PORT}" >/dev/null 2>&1 &
  forward=$!
  wait_for "port-forward to the S3 server" 30 curl -sS -o /dev/null http://127.0.0.1:17070/
  ensure_s3_access http://127.0.0.1:17070 http://127.0.0.1:17071
  kill "$forward"
}

# wf2k8s/label-studio:<version> from containers/label-studio (pip, about 1.5 min), unless
# docker has it already. Its FROM image wf2k8s/python-venv comes from hack/build-images.sh.
ensure_label_studio_image() {
  [[ "${WF2K8S_LABEL_STUDIO:-1}" == 1 ]] || return 0
  local version tag; version="$(project_version)"; tag="wf2k8s/label-studio:${version}"
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  docker image inspect "wf2k8s/python-venv:${version}" >/dev/null 2>&1 \
    || die "${tag} needs wf2k8s/python-venv:${version}: build the images with hack/build-images.sh (or WF2K8S_LABEL_STUDIO=0)"
  log "building ${tag}"
  local build_args=()
  mapfile -t build_args < <(pip_build_args)
  build_args+=(--build-arg "PIP_CERT_PEM=$(host_extra_ca_pem)" --build-arg "WF2K8S_VERSION=${version}")
  _docker_build --network host "${build_args[@]}" -t "$tag" "${REPO_ROOT}/containers/label-studio"
}

# Label Studio makes its account and token on a pod's first start: when the Secret's token
# changed (a new ${LABEL_STUDIO_ENV_FILE}), replace the pod. Then wait until it is ready.
label_studio_token_in_cluster() {
  k -n "${NAMESPACE}" get secret wf2k8s-label-studio -o jsonpath='{.data.LABEL_STUDIO_TOKEN}' 2>/dev/null | base64 -d 2>/dev/null || true
}
wait_for_label_studio() {
  local old_token="$1"
  [[ "${WF2K8S_LABEL_STUDIO:-1}" == 1 ]] || return 0
  if [[ -n "$old_token" && "$old_token" != "${LABEL_STUDIO_TOKEN}" ]]; then
    k -n "${NAMESPACE}" rollout restart deploy/label-studio >&2
  fi
  k -n "${NAMESPACE}" rollout status deploy/label-studio --timeout=600s >&2
  log "Label Studio: kubectl -n ${NAMESPACE} port-forward svc/label-studio 8080:8080, then http://127.0.0.1:8080 (login in ${LABEL_STUDIO_ENV_FILE})"
}

# wf2k8s images (built locally, e.g. with hack/build-images.sh) are side-loaded into kind.
load_local_images() {
  local img
  for img in $(docker images --format '{{.Repository}}:{{.Tag}}' | grep '^wf2k8s/' || true); do
    kind load docker-image --name "${KIND_CLUSTER}" "$img" >&2
  done
}

# Upstream KServe: cert-manager, the release manifest, then our settings (Standard mode, no ingress,
# our storage initializer) and our ClusterServingRuntimes, as lib/kserve.sh sets them offline.
install_kserve_upstream() {
  [[ "${WF2K8S_KSERVE:-1}" == 1 ]] || return 0
  k apply -f "${CERT_MANAGER_URL}" >&2
  local d
  for d in cert-manager cert-manager-webhook cert-manager-cainjector; do
    k -n cert-manager rollout status "deploy/$d" --timeout=300s >&2
  done
  k apply --server-side --force-conflicts -f "${KSERVE_INSTALL_URL}" >&2
  k -n kserve rollout status deploy/kserve-controller-manager --timeout=300s >&2
  local config; config="$(mktemp)"
  k -n kserve get configmap inferenceservice-config -o yaml > "$config"
  render_kserve_config "$config" | k apply -f - >&2
  rm -f "$config"
  render_kserve_runtimes | k apply -f - >&2
}

# Upstream JobSet: the release manifest (namespace jobset-system, controller, CRD, webhooks).
install_jobset_upstream() {
  [[ "${WF2K8S_JOBSET:-1}" == 1 ]] || return 0
  k apply --server-side --force-conflicts -f "${JOBSET_INSTALL_URL}" >&2
  k -n jobset-system rollout status deploy/jobset-controller-manager --timeout=300s >&2
}

main() {
  create_cluster
  ensure_label_studio_image
  load_local_images
  install_argo
  install_kserve_upstream
  install_jobset_upstream
  install_s3
  export WF2K8S_S3_ENDPOINT="http://s3.${NAMESPACE}.svc:${S3_PORT}"
  # the address Label Studio's SSRF guard lets through (lib/manifests.sh)
  S3_ADDRESS="$(k -n "${NAMESPACE}" get service s3 -o jsonpath='{.spec.clusterIP}')"; export S3_ADDRESS
  local old_token; old_token="$(label_studio_token_in_cluster)"
  apply_project_manifests k
  apply_runtime_configmap k
  create_bucket
  s3_access
  wait_for_label_studio "$old_token"
  echo "KUBECONFIG=${KIND_KUBECONFIG}"
}
main "$@"
