# shellcheck shell=bash
# Argo CRDs from the pinned Go module (never a committed copy), and the smoke workflow.

install_argo_crds() {
  # Skip when this cluster already has the CRDs of this Argo version.
  if [[ "$(kubectl_admin get crd workflows.argoproj.io \
        -o jsonpath='{.metadata.annotations.wf2k8s\.io/argo-version}' 2>/dev/null)" == "${ARGO_VERSION}" ]]; then
    return 0
  fi
  ensure_argo_source
  local dir; dir="$(argo_source_dir)/manifests/base/crds/full"
  [[ -d "$dir" ]] || die "Argo CRDs not found in module: $dir"
  # Server-side apply: the full CRDs exceed the client-side last-applied annotation limit.
  local f files=()
  for f in "$dir"/argoproj.io_*.yaml; do files+=(-f "$f"); done
  (( ${#files[@]} )) || die "no CRD files in $dir"
  kubectl_admin apply --server-side --force-conflicts "${files[@]}" >/dev/null
  local crd
  for crd in workflows workflowtaskresults workflowtemplates; do
    wait_for "CRD ${crd}.argoproj.io Established" 60 crd_established "${crd}.argoproj.io"
  done
  kubectl_admin annotate --overwrite crd workflows.argoproj.io "wf2k8s.io/argo-version=${ARGO_VERSION}" >/dev/null
  log "Argo ${ARGO_VERSION} CRDs installed"
}

crd_established() {
  [[ "$(kubectl_admin get crd "$1" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)" == "True" ]]
}

# run_smoke_workflow: submit hack/smoke-workflow.yaml, wait for Succeeded, check the artifact.
run_smoke_workflow() {
  local name phase start=$SECONDS
  name="$(kubectl_admin create -f "${HACK_DIR}/smoke-workflow.yaml" -o jsonpath='{.metadata.name}')"
  log "smoke workflow ${NAMESPACE}/${name} submitted"
  while :; do
    phase="$(kubectl_admin -n "${NAMESPACE}" get workflow "$name" -o jsonpath='{.status.phase}' 2>/dev/null || true)"
    case "$phase" in
      Succeeded) break ;;
      Failed|Error) _smoke_failure "$name"; die "smoke workflow ${name} ${phase}" ;;
    esac
    if (( SECONDS - start > 240 )); then _smoke_failure "$name"; die "smoke workflow ${name} timed out (phase '${phase}')"; fi
    sleep 2
  done
  local key
  key="$(kubectl_admin -n "${NAMESPACE}" get workflow "$name" -o json | python3 -c '
import json,sys
wf=json.load(sys.stdin)
for n in wf["status"].get("nodes",{}).values():
    for a in (n.get("outputs") or {}).get("artifacts",[]) or []:
        if a.get("s3"): print(a["s3"]["key"]); sys.exit(0)
sys.exit(1)')" || { _smoke_failure "$name"; die "smoke workflow ${name}: no S3 output artifact recorded"; }
  s3_curl -o /dev/null "http://127.0.0.1:${S3_PORT}/${S3_BUCKET}/${key}" || die "artifact s3://${S3_BUCKET}/${key} not found in S3"
  log "smoke workflow ${name} Succeeded in $((SECONDS - start))s; artifact s3://${S3_BUCKET}/${key}"
}

_smoke_failure() {
  local name="$1" pod
  {
    echo "---- workflow ${name} status ----"
    kubectl_admin -n "${NAMESPACE}" get workflow "$name" -o jsonpath='{.status}' ; echo
    for pod in $(kubectl_admin -n "${NAMESPACE}" get pods -l "workflows.argoproj.io/workflow=${name}" -o name); do
      echo "---- ${pod} ----"
      kubectl_admin -n "${NAMESPACE}" describe "$pod" | tail -n 25
      kubectl_admin -n "${NAMESPACE}" logs "$pod" --all-containers --prefix --tail=50 || true
    done
    echo "---- workflow-controller log (tail) ----"
    tail -n 40 "${LOG_DIR}/workflow-controller.log"
  } >&2
}
