# shellcheck shell=bash
# Render and apply manifests/ (shared by cluster-up.sh and kind-up.sh).
#   manifests/*.yaml             applied as-is
#   manifests/templates/*.tmpl   rendered with envsubst (only the variables listed below)
#   manifests/local/*.yaml       host-process cluster only (cluster-up.sh)
# Needs: WF2K8S_S3_ENDPOINT (http://host:port as seen from pods), S3_ACCESS_KEY, S3_SECRET_KEY.

MANIFEST_VARS='${S3_ACCESS_KEY} ${S3_SECRET_KEY} ${WF2K8S_S3_ENDPOINT} ${WF2K8S_S3_HOSTPORT} ${WF2K8S_S3_BUCKET} ${MLFLOW_TRACKING_URI}'

# render_manifests OUTDIR: write the rendered templates into OUTDIR.
render_manifests() {
  local out="$1" t
  mkdir -p "$out"
  export S3_ACCESS_KEY S3_SECRET_KEY WF2K8S_S3_ENDPOINT
  export WF2K8S_S3_HOSTPORT="${WF2K8S_S3_ENDPOINT#*://}"
  export WF2K8S_S3_BUCKET="${S3_BUCKET}"
  export MLFLOW_TRACKING_URI
  for t in "${REPO_ROOT}"/manifests/templates/*.tmpl; do
    envsubst "${MANIFEST_VARS}" < "$t" > "$out/$(basename "${t%.tmpl}")"
  done
}

# apply_project_manifests KUBECTL_CMD... : namespace first, then the rest.
apply_project_manifests() {
  local rendered; rendered="$(mktemp -d)"
  render_manifests "$rendered"
  # the namespace first: kubectl applies a directory's files in name order
  "$@" apply -f "${REPO_ROOT}/manifests/namespace.yaml" >&2
  "$@" apply -f "${REPO_ROOT}/manifests/" >&2
  "$@" apply -f "$rendered" >&2
  rm -rf "$rendered"
}
