# shellcheck shell=bash
# KServe (Standard / RawDeployment mode: no Knative, no Istio) on the offline cluster.
#
#   * the controller (cmd/manager) built from the Go module proxy at ${KSERVE_VERSION} through a
#     wrapper module that repeats the replace lines of KServe's go.mod, run as a host process
#     (kserve-controller) with a client certificate bound to KServe's own ClusterRole;
#   * its CRDs and ClusterRole read from the module source at run time (nothing committed);
#   * its webhooks served by that process on ${KSERVE_WEBHOOK_PORT} of the node IP, registered
#     with url clientConfigs and a certificate signed by the cluster CA;
#   * ConfigMap inferenceservice-config: the module's, with deploy mode Standard, no ingress
#     creation and our storage-initializer image;
#   * ClusterServingRuntimes for sklearn and xgboost on wf2k8s/kserve-sklearn, for tensorflow
#     (SavedModels) on wf2k8s/kserve-tensorflow (containers/, built from the kserve and tensorflow-cpu
#     PyPI packages), and for pytorch on wf2k8s/kserve-pytorch (Debian's torch + kserve), from
#     manifests/kserve/.
# Used by cluster-up.sh unless WF2K8S_KSERVE=0.

KSERVE_VERSION="${KSERVE_VERSION:-v0.20.0}"
KSERVE_MODULE="github.com/kserve/kserve"
KSERVE_NAMESPACE="kserve"
KSERVE_WEBHOOK_PORT="${KSERVE_WEBHOOK_PORT:-9443}"
KSERVE_STATE="${WF2K8S_STATE}/kserve"
KSERVE_USER="wf2k8s:kserve-controller"

kserve_bin() { echo "${BIN_DIR}/kserve-${KSERVE_VERSION}/manager"; }

kserve_source_dir() { module_source_dir "${KSERVE_MODULE}" "${KSERVE_VERSION}"; }

# build_kserve: the controller (cmd/manager) through a wrapper module repeating the replace lines of KServe's
# go.mod (hack/lib/build.sh).
build_kserve() {
  local out="${BIN_DIR}/kserve-${KSERVE_VERSION}"
  _built "$out" && return 0
  log "building kserve ${KSERVE_VERSION} controller (slow: ~10 min cold on 2 cores)"
  build_through_wrapper kserve "${KSERVE_MODULE}" "${KSERVE_VERSION}" "${KSERVE_MODULE}/cmd/manager" "$out/manager"
  log "kserve ${KSERVE_VERSION} built"
}

# CRDs (config/crd/full, every serving.kserve.io_*.yaml) and the controller's ClusterRole.
install_kserve_crds() {
  local src; src="$(kserve_source_dir)"
  apply_crds "$src/config/crd/full" 'serving.kserve.io_*.yaml' inferenceservices.serving.kserve.io InferenceService
  kubectl_admin apply -f "$src/config/rbac/role.yaml" >&2
  kubectl_admin apply -f "${REPO_ROOT}/manifests/kserve/controller-rbac.yaml" >&2
  log "kserve ${KSERVE_VERSION} CRDs installed"
}

# render_kserve_config FILE: inferenceservice-config (a ConfigMap's YAML in FILE) with our settings,
# on stdout (also used by kind-up.sh on upstream KServe's ConfigMap).
render_kserve_config() {
  STORAGE_IMAGE="wf2k8s/kserve-sklearn:$(project_version)" python3 - "$1" <<'PY'
import json, os, sys
import yaml
cm = yaml.safe_load(open(sys.argv[1]))
data = cm["data"]
data.pop("_example", None)
def edit(key, **values):
    value = json.loads(data[key])
    value.update(values)
    data[key] = json.dumps(value, indent=2)
edit("deploy", defaultDeploymentMode="Standard")
# no ingress controller here: the cluster-local address (status.address.url) is what clients use
edit("ingress", disableIngressCreation=True)
edit("storageInitializer", image=os.environ["STORAGE_IMAGE"], enableModelcar=False)
cm["metadata"] = {"name": "inferenceservice-config", "namespace": "kserve"}
print(yaml.safe_dump(cm))
PY
}

# The namespace and inferenceservice-config, from the module's ConfigMap with our settings.
apply_kserve_config() {
  local src; src="$(kserve_source_dir)"
  kubectl_admin create namespace "${KSERVE_NAMESPACE}" --dry-run=client -o yaml | kubectl_admin apply -f - >/dev/null
  render_kserve_config "$src/config/configmap/inferenceservice.yaml" | kubectl_admin apply -f - >&2
}

# The controller's client certificate and kubeconfig (user ${KSERVE_USER}, bound to
# kserve-manager-role by manifests/kserve/controller-rbac.yaml) and the webhook serving certificate.
ensure_kserve_pki() {
  local ip; ip="$(node_ip)"
  if [[ -f "${KSERVE_STATE}/node-ip" && "$(cat "${KSERVE_STATE}/node-ip")" != "$ip" ]]; then
    rm -f "${PKI_DIR}/kserve-webhook.crt"
  fi
  mkdir -p "${KSERVE_STATE}/tmp/k8s-webhook-server/serving-certs"
  echo "$ip" > "${KSERVE_STATE}/node-ip"
  _cert kserve-controller "/CN=${KSERVE_USER}"
  _cert kserve-webhook "/CN=kserve-webhook-server" "IP:${ip},IP:127.0.0.1,DNS:localhost"
  _kubeconfig kserve-controller kserve-controller "${KSERVE_NAMESPACE}"
  # controller-runtime reads the serving certificate from $TMPDIR/k8s-webhook-server/serving-certs
  install -m 0600 "${PKI_DIR}/kserve-webhook.crt" "${KSERVE_STATE}/tmp/k8s-webhook-server/serving-certs/tls.crt"
  install -m 0600 "${PKI_DIR}/kserve-webhook.key" "${KSERVE_STATE}/tmp/k8s-webhook-server/serving-certs/tls.key"
}

# The module's webhook configurations with url clientConfigs (the server is a host process).
apply_kserve_webhooks() {
  local src; src="$(kserve_source_dir)"
  WEBHOOK_BASE="https://$(node_ip):${KSERVE_WEBHOOK_PORT}" CA_BUNDLE="$(base64 -w0 < "${PKI_DIR}/ca.crt")" \
    python3 - "$src/config/webhook/manifests.yaml" <<'PY' | kubectl_admin apply -f - >&2
import os, sys
import yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for doc in docs:
    doc["metadata"].pop("creationTimestamp", None)
    for hook in doc.get("webhooks", []):
        path = hook["clientConfig"]["service"]["path"]
        hook["clientConfig"] = {"url": os.environ["WEBHOOK_BASE"] + path, "caBundle": os.environ["CA_BUNDLE"]}
print(yaml.safe_dump_all(docs))
PY
}

kserve_webhook_up() {
  curl -fsS --cacert "${PKI_DIR}/ca.crt" -o /dev/null "https://$(node_ip):${KSERVE_WEBHOOK_PORT}/healthz" 2>/dev/null \
    || curl -fsS -o /dev/null "http://127.0.0.1:8086/readyz"
}

start_kserve_controller() {
  start_proc kserve-controller POD_NAMESPACE="${KSERVE_NAMESPACE}" TMPDIR="${KSERVE_STATE}/tmp" \
    KUBECONFIG="${WF2K8S_STATE}/kserve-controller.kubeconfig" "$(kserve_bin)" \
    --metrics-addr=127.0.0.1:8085 --health-probe-addr=127.0.0.1:8086 \
    --webhook-port="${KSERVE_WEBHOOK_PORT}" --leader-elect=false
  wait_for "kserve-controller /readyz" 90 curl -fsS http://127.0.0.1:8086/readyz
}

# The ClusterServingRuntimes (manifests/kserve/runtimes.yaml; ${WF2K8S_IMAGE_TAG} is the images' tag).
render_kserve_runtimes() {
  export WF2K8S_IMAGE_TAG; WF2K8S_IMAGE_TAG="$(project_version)"
  envsubst '${WF2K8S_IMAGE_TAG}' < "${REPO_ROOT}/manifests/kserve/runtimes.yaml"
}
apply_kserve_runtimes() {
  render_kserve_runtimes | kubectl_admin apply -f - >&2
}

# install_kserve: everything above, in order (idempotent).
install_kserve() {
  build_kserve
  install_kserve_crds
  apply_kserve_config
  ensure_kserve_pki
  apply_kserve_webhooks
  start_kserve_controller
  apply_kserve_runtimes
  log "kserve ${KSERVE_VERSION} ready (Standard mode, webhooks on :${KSERVE_WEBHOOK_PORT})"
}
