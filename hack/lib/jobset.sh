# shellcheck shell=bash
# JobSet (sigs.k8s.io/jobset, API jobset.x-k8s.io/v1alpha2) on the offline cluster: what distributed
# training JobSteps run as.
#
#   * the controller (the module's root package, main.go) built from the Go module proxy at
#     ${JOBSET_VERSION} through a wrapper module (it repeats any replace lines of JobSet's go.mod;
#     v0.12.0 has none), run as a host process (jobset-controller) with a client certificate bound to
#     JobSet's own ClusterRole, less the webhook-configuration rule only its internal cert-controller uses;
#   * its CRD and ClusterRole read from the module source at set-up time (nothing committed);
#   * its webhooks (JobSet defaulting/validation, and the pod webhooks, limited to pods labelled
#     jobset.sigs.k8s.io/jobset-name as upstream's kustomize patches do) served by that process on
#     ${JOBSET_WEBHOOK_PORT} of every host address, registered with url clientConfigs and a certificate
#     signed by the cluster CA; the internal cert-controller is off (a Configuration file says so).
# Used by cluster-up.sh unless WF2K8S_JOBSET=0; kind-up.sh installs the release manifest of the same version.

JOBSET_VERSION="${JOBSET_VERSION:-v0.12.0}"
JOBSET_MODULE="sigs.k8s.io/jobset"
JOBSET_WEBHOOK_PORT="${JOBSET_WEBHOOK_PORT:-9444}"
JOBSET_HEALTH_ADDR="127.0.0.1:8087"
JOBSET_STATE="${WF2K8S_STATE}/jobset"
JOBSET_USER="wf2k8s:jobset-controller"

jobset_bin() { echo "${BIN_DIR}/jobset-${JOBSET_VERSION}/manager"; }

jobset_source_dir() { module_source_dir "${JOBSET_MODULE}" "${JOBSET_VERSION}"; }

# build_jobset: the controller (package ${JOBSET_MODULE}, the module root) through a wrapper module
# (hack/lib/build.sh): the proxy serves it by exact version only, so `go install m@latest` cannot work.
build_jobset() {
  local out="${BIN_DIR}/jobset-${JOBSET_VERSION}" commit v="${JOBSET_MODULE}/pkg/version"
  _built "$out" && return 0
  log "building jobset ${JOBSET_VERSION} controller"
  commit="$(module_json "${JOBSET_MODULE}" "${JOBSET_VERSION}" Hash || true)"
  build_through_wrapper jobset "${JOBSET_MODULE}" "${JOBSET_VERSION}" "${JOBSET_MODULE}" "$out/manager" \
    "-X ${v}.GitVersion=${JOBSET_VERSION} -X ${v}.GitCommit=${commit:-unknown}"
  log "jobset ${JOBSET_VERSION} built"
}

# The CRD (config/components/crd/bases) and the controller's ClusterRole (upstream's manager-role,
# named jobset-manager-role as its release manifest names it), bound to ${JOBSET_USER} by
# manifests/jobset/controller-rbac.yaml. The rule on webhook configurations is left out: only the
# internal cert-controller (off here) uses it.
install_jobset_crds() {
  local src; src="$(jobset_source_dir)"
  apply_crds "$src/config/components/crd/bases" 'jobset.x-k8s.io_*.yaml' jobsets.jobset.x-k8s.io JobSet
  python3 - "$src/config/components/rbac/role.yaml" <<'PY' | kubectl_admin apply -f - >&2
import sys
import yaml
role = yaml.safe_load(open(sys.argv[1]))
assert role["kind"] == "ClusterRole", role["kind"]
role["metadata"] = {"name": "jobset-manager-role", "labels": {"app.kubernetes.io/name": "jobset"}}
role["rules"] = [r for r in role["rules"] if "admissionregistration.k8s.io" not in r.get("apiGroups", [])]
print(yaml.safe_dump(role))
PY
  kubectl_admin apply -f "${REPO_ROOT}/manifests/jobset/controller-rbac.yaml" >&2
  log "jobset ${JOBSET_VERSION} CRD installed"
}

# The controller's client certificate and kubeconfig, its webhook serving certificate, and its
# Configuration file (upstream's config API: internal cert management off, our ports and cert dir,
# no leader election; the metrics endpoint is off: nothing scrapes it, and its authn/authz filter
# would need TokenReview/SubjectAccessReview rights).
ensure_jobset_pki() {
  local ip; ip="$(node_ip)"
  if [[ -f "${JOBSET_STATE}/node-ip" && "$(cat "${JOBSET_STATE}/node-ip")" != "$ip" ]]; then
    rm -f "${PKI_DIR}/jobset-webhook.crt"
  fi
  mkdir -p "${JOBSET_STATE}/serving-certs"
  echo "$ip" > "${JOBSET_STATE}/node-ip"
  _cert jobset-controller "/CN=${JOBSET_USER}"
  _cert jobset-webhook "/CN=jobset-webhook-server" "IP:${ip},IP:127.0.0.1,DNS:localhost"
  _kubeconfig jobset-controller jobset-controller
  # copied only when they differ: the running server watches these files
  local f
  for f in crt key; do
    cmp -s "${PKI_DIR}/jobset-webhook.${f}" "${JOBSET_STATE}/serving-certs/tls.${f}" || \
      install -m 0600 "${PKI_DIR}/jobset-webhook.${f}" "${JOBSET_STATE}/serving-certs/tls.${f}"
  done
  write_file "${JOBSET_STATE}/config.yaml" <<YAML
apiVersion: config.jobset.x-k8s.io/v1alpha1
kind: Configuration
leaderElection:
  leaderElect: false
internalCertManagement:
  enable: false
webhook:
  port: ${JOBSET_WEBHOOK_PORT}
  certDir: ${JOBSET_STATE}/serving-certs
metrics:
  bindAddress: "0"
health:
  healthProbeBindAddress: ${JOBSET_HEALTH_ADDR}
YAML
}

# The module's webhook configurations with upstream's kustomize patches (the pod webhooks only see
# pods labelled jobset.sigs.k8s.io/jobset-name), its jobset- name prefix, and url clientConfigs.
apply_jobset_webhooks() {
  local src; src="$(jobset_source_dir)"
  WEBHOOK_BASE="https://$(node_ip):${JOBSET_WEBHOOK_PORT}" CA_BUNDLE="$(base64 -w0 < "${PKI_DIR}/ca.crt")" \
    python3 - "$src/config/components/webhook" <<'PY' | kubectl_admin apply -f - >&2
import os, re, sys
import yaml
root = sys.argv[1]
kustomization = yaml.safe_load(open(os.path.join(root, "kustomization.yaml")))
docs = [d for d in yaml.safe_load_all(open(os.path.join(root, "manifests.yaml"))) if d]
for patch in kustomization.get("patches", []):
    target = patch["target"]
    ops = yaml.safe_load(open(os.path.join(root, patch["path"])))
    for doc in docs:
        if doc["kind"] != target["kind"] or doc["metadata"]["name"] != target["name"]:
            continue
        for op in ops:
            m = re.fullmatch(r"/webhooks/(\d+)", op["path"])
            if op["op"] != "replace" or not m:
                sys.exit(f"unexpected patch in jobset's webhook kustomization: {op['op']} {op['path']}")
            doc["webhooks"][int(m.group(1))] = op["value"]
for doc in docs:
    doc["metadata"] = {"name": "jobset-" + doc["metadata"]["name"], "labels": {"app.kubernetes.io/name": "jobset"}}
    for hook in doc.get("webhooks", []):
        path = hook["clientConfig"]["service"]["path"]
        hook["clientConfig"] = {"url": os.environ["WEBHOOK_BASE"] + path, "caBundle": os.environ["CA_BUNDLE"]}
print(yaml.safe_dump_all(docs))
PY
}

start_jobset_controller() {
  start_proc jobset-controller KUBECONFIG="${WF2K8S_STATE}/jobset-controller.kubeconfig" "$(jobset_bin)" \
    --config="${JOBSET_STATE}/config.yaml" --zap-log-level=2
  wait_for "jobset-controller /readyz" 90 curl -fsS "http://${JOBSET_HEALTH_ADDR}/readyz"
}

# A server-side dry run of a small JobSet: passes through the defaulting and validating webhooks
# (the apiserver calls the host process) without making pods.
check_jobset_webhooks() {
  local out
  out="$(kubectl_admin -n default create --dry-run=server -o jsonpath='{.spec.replicatedJobs[0].template.spec.completionMode}' -f - 2>&1 <<'YAML'
apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata: {name: wf2k8s-webhook-check}
spec:
  replicatedJobs:
    - name: worker
      template:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: wf2k8s/base:bookworm, command: ["true"]}]
YAML
)" || die "jobset webhooks: a dry-run JobSet failed: ${out}"
  [[ "$out" == Indexed ]] || die "jobset webhooks: the defaulting webhook did not set completionMode Indexed (got: ${out})"
  log "jobset webhooks: ok (defaulting and validation of a dry-run JobSet)"
}

# install_jobset: everything above, in order (idempotent).
install_jobset() {
  build_jobset
  install_jobset_crds
  ensure_jobset_pki
  apply_jobset_webhooks
  start_jobset_controller
  check_jobset_webhooks
  log "jobset ${JOBSET_VERSION} ready (webhooks on :${JOBSET_WEBHOOK_PORT})"
}
