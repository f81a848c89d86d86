# shellcheck shell=bash
# Render and apply manifests/ (shared by cluster-up.sh and kind-up.sh).
#   manifests/*.yaml             applied as-is
#   manifests/templates/*.tmpl   rendered with envsubst (only the variables listed below)
#   manifests/local/*.yaml       host-process cluster only (cluster-up.sh)
# Needs: WF2K8S_S3_ENDPOINT (http://host:port as seen from pods), S3_ACCESS_KEY, S3_SECRET_KEY;
# hack/lib/s3access.sh sourced (the scoped accounts' keys).
# WF2K8S_LABEL_STUDIO=0 leaves manifests/label-studio.yaml out (its Secret is applied anyway).

MANIFEST_VARS='${S3_ACCESS_KEY} ${S3_SECRET_KEY} ${WF2K8S_S3_ENDPOINT} ${WF2K8S_S3_HOSTPORT} ${WF2K8S_S3_BUCKET} ${MLFLOW_TRACKING_URI}'
MANIFEST_VARS+=' ${LABEL_STUDIO_URL} ${LABEL_STUDIO_USERNAME} ${LABEL_STUDIO_PASSWORD} ${LABEL_STUDIO_TOKEN}'
MANIFEST_VARS+=' ${S3_JOBS_ACCESS_KEY} ${S3_JOBS_SECRET_KEY} ${S3_LABEL_STUDIO_ACCESS_KEY} ${S3_LABEL_STUDIO_SECRET_KEY}'
MANIFEST_VARS+=' ${LABEL_STUDIO_BANNED_SUBNETS}'

# Label Studio of manifests/label-studio.yaml: a Service with a fixed ClusterIP (the host has no cluster DNS).
# Written into ConfigMap wf2k8s-config.
LABEL_STUDIO_URL="${LABEL_STUDIO_URL:-http://10.96.0.60:8080}"
# Its login and API token (Secret wf2k8s-label-studio): generated once, kept in this file (mode 600).
LABEL_STUDIO_ENV_FILE="${LABEL_STUDIO_ENV_FILE:-${WF2K8S_STATE}/label-studio.env}"

# _random_hex N: N random hex characters (N even).
_random_hex() { od -An -tx1 -N"$(( $1 / 2 ))" /dev/urandom | tr -d ' \n'; }

# ensure_label_studio_credentials: create ${LABEL_STUDIO_ENV_FILE} once (admin email, random
# 24-char password, random 40-char API token), then load LABEL_STUDIO_{USERNAME,PASSWORD,TOKEN}.
ensure_label_studio_credentials() {
  local f="${LABEL_STUDIO_ENV_FILE}"
  if [[ ! -s "$f" ]]; then
    mkdir -p "$(dirname "$f")"
    (umask 077; printf 'LABEL_STUDIO_USERNAME=%s\nLABEL_STUDIO_PASSWORD=%s\nLABEL_STUDIO_TOKEN=%s\n' \
      "admin@wf2k8s.local" "$(_random_hex 24)" "$(_random_hex 40)" > "${f}.tmp") && mv "${f}.tmp" "$f"
  fi
  chmod 600 "$f"
  LABEL_STUDIO_USERNAME="$(sed -n 's/^LABEL_STUDIO_USERNAME=//p' "$f")"
  LABEL_STUDIO_PASSWORD="$(sed -n 's/^LABEL_STUDIO_PASSWORD=//p' "$f")"
  LABEL_STUDIO_TOKEN="$(sed -n 's/^LABEL_STUDIO_TOKEN=//p' "$f")"
  [[ ${#LABEL_STUDIO_TOKEN} -eq 40 && -n "$LABEL_STUDIO_USERNAME" && -n "$LABEL_STUDIO_PASSWORD" ]] \
    || die "${f}: LABEL_STUDIO_USERNAME, LABEL_STUDIO_PASSWORD and a 40-char LABEL_STUDIO_TOKEN expected"
}

# label_studio_banned_subnets ADDRESS: every IPv4 and IPv6 network except ADDRESS, comma-separated.
# Label Studio's SSRF guard has a ban list but no allow list: banning all but the S3 server's address
# lets its storages reach that server and nothing else (no loopback, no MLflow, no cloud metadata).
label_studio_banned_subnets() {
  python3 - "$1" <<'PY'
import ipaddress, sys
only = ipaddress.ip_network(sys.argv[1])
everything = ipaddress.ip_network("0.0.0.0/0" if only.version == 4 else "::/0")
other_family = ipaddress.ip_network("::/0" if only.version == 4 else "0.0.0.0/0")
print(",".join(str(n) for n in sorted(everything.address_exclude(only)) + [other_family]))
PY
}

# render_manifests OUTDIR: write the rendered templates into OUTDIR.
render_manifests() {
  local out="$1" t
  mkdir -p "$out"
  export S3_ACCESS_KEY S3_SECRET_KEY WF2K8S_S3_ENDPOINT
  export WF2K8S_S3_HOSTPORT="${WF2K8S_S3_ENDPOINT#*://}"
  export WF2K8S_S3_BUCKET="${S3_BUCKET}"
  export MLFLOW_TRACKING_URI LABEL_STUDIO_URL
  ensure_label_studio_credentials
  export LABEL_STUDIO_USERNAME LABEL_STUDIO_PASSWORD LABEL_STUDIO_TOKEN
  ensure_s3_account_secrets
  export S3_JOBS_ACCESS_KEY S3_JOBS_SECRET_KEY S3_LABEL_STUDIO_ACCESS_KEY S3_LABEL_STUDIO_SECRET_KEY
  # the S3 server's address as Label Studio's pod reaches it (kind-up.sh gives its Service's IP)
  LABEL_STUDIO_BANNED_SUBNETS="$(label_studio_banned_subnets "${S3_ADDRESS:-${WF2K8S_S3_HOSTPORT%:*}}")"
  export LABEL_STUDIO_BANNED_SUBNETS
  for t in "${REPO_ROOT}"/manifests/templates/*.tmpl; do
    envsubst "${MANIFEST_VARS}" < "$t" > "$out/$(basename "${t%.tmpl}")"
  done
}

# apply_project_manifests KUBECTL_CMD... : namespace first, then the rendered Secrets and
# ConfigMaps (the Deployments read them), then the rest.
apply_project_manifests() {
  local rendered; rendered="$(mktemp -d)"
  render_manifests "$rendered"
  # the namespace first: kubectl applies a directory's files in name order
  "$@" apply -f "${REPO_ROOT}/manifests/namespace.yaml" >&2
  "$@" apply -f "$rendered" >&2
  rm -rf "$rendered"
  local files=() f
  for f in "${REPO_ROOT}"/manifests/*.yaml; do
    [[ "${WF2K8S_LABEL_STUDIO:-1}" != 1 && "$(basename "$f")" == label-studio.yaml ]] && continue
    files+=(-f "$f")
  done
  "$@" apply "${files[@]}" >&2
  # clusters made before phases got accounts of their own granted every phase the deployer's rights
  "$@" -n "${NAMESPACE}" delete rolebinding wf2k8s-runner-serving --ignore-not-found >&2
  "$@" -n "${NAMESPACE}" delete role wf2k8s-runner-serving --ignore-not-found >&2
}

# apply_runtime_configmap KUBECTL_CMD... : the runtime zipapp of image wf2k8s/runtime:<version>, byte for
# byte, as ConfigMap wf2k8s-runtime-<version> (dots as dashes): engine phases (JobStep, MrsJobStep) mount
# it into the user's image instead of copying it in with an init container (a container start saved per
# phase). Server-side: the 390 KB file would not fit client-side apply's 256 KiB annotation.
apply_runtime_configmap() {
  local version name file
  version="$(project_version)"; name="wf2k8s-runtime-${version//./-}"
  file="$(mktemp -d)/wf2k8s-runtime.pyz"
  docker run --rm --entrypoint cat "wf2k8s/runtime:${version}" /opt/wf2k8s/wf2k8s-runtime.pyz > "$file"
  "$@" -n "${NAMESPACE}" create configmap "$name" --from-file="$file" --dry-run=client -o yaml \
    | "$@" apply --server-side --force-conflicts --field-manager=wf2k8s-hack -f - >&2
  rm -rf "$(dirname "$file")"
}
