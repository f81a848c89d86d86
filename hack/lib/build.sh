# shellcheck shell=bash
# Build third-party binaries from the Go module proxy (go env GOPROXY) at pinned
# versions into ${BIN_DIR}/<component>-<version>/. Nothing fetched here is committed.

GO_LDFLAGS_BASE="-s -w"

# A .done stamp marks a finished build; builds are skipped when the stamp exists.
_built() { [[ -f "$1/.done" ]]; }

# binary_dir TARGET: cache directory of a build target (kubernetes|etcd|argo|argo_cli|versitygw|local_path|coredns|pause).
binary_dir() {
  case "$1" in
    kubernetes) echo "${BIN_DIR}/kubernetes-${K8S_VERSION}" ;;
    etcd) echo "${BIN_DIR}/etcd-${ETCD_VERSION}" ;;
    argo) echo "${BIN_DIR}/argo-${ARGO_VERSION}" ;;
    argo_cli) echo "${BIN_DIR}/argo-cli-${ARGO_VERSION}" ;;
    versitygw) echo "${BIN_DIR}/versitygw-${VERSITYGW_VERSION}" ;;
    local_path) echo "${BIN_DIR}/local-path-provisioner-${LOCAL_PATH_VERSION}" ;;
    coredns) echo "${BIN_DIR}/coredns-${COREDNS_VERSION}" ;;
    jobset) echo "${BIN_DIR}/jobset-${JOBSET_VERSION}" ;;   # lib/jobset.sh
    pause) echo "${BIN_DIR}/pause" ;;
    *) die "unknown build target $1" ;;
  esac
}

# binary_built TARGET: true when the target needs no (re)build.
binary_built() {
  if [[ $1 == pause ]]; then
    [[ -x "${BIN_DIR}/pause/pause" && "$(cat "${BIN_DIR}/pause/.source" 2>/dev/null)" == "$(_pause_source_sum)" ]]
  else
    _built "$(binary_dir "$1")"
  fi
}

# _wrapper_dir NAME VERSION: scratch dir for a throw-away wrapper module.
_wrapper_dir() {
  local d="${WF2K8S_CACHE}/wrappers/$1-$2"
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# module_json MODULE VERSION FIELD: a field of `go mod download -json` for a pinned module (Dir, GoMod, or
# Origin's Hash).
module_json() {
  go mod download -json "$1@$2" | \
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1]) or (d.get("Origin") or {}).get(sys.argv[1], ""))' "$3"
}

# module_source_dir MODULE VERSION: the module's source tree in the Go module cache (read-only), which
# must hold a config/ tree (CRDs, RBAC, webhooks of a kubebuilder project).
module_source_dir() {
  local dir; dir="$(module_json "$1" "$2" Dir || true)"
  [[ -n "$dir" && -d "$dir/config" ]] || die "go mod download $1@$2 failed"
  echo "$dir"
}

# build_through_wrapper NAME MODULE VERSION PACKAGE OUT_BINARY [LDFLAGS]: PACKAGE of a module the proxy serves
# by exact version only, built in a wrapper module that requires it and repeats its go.mod's go, godebug and
# replace lines (`go build module/cmd@version` would ignore a dependency's replaces; a local-path replace is
# an error).
build_through_wrapper() {
  local name="$1" module="$2" version="$3" package="$4" binary="$5" ldflags="${6:-}" wd gomod
  wd="$(_wrapper_dir "$name" "$version")"
  gomod="$(module_json "$module" "$version" GoMod)"
  [[ -s "$gomod" ]] || die "go mod download ${module}@${version} failed"
  {
    echo "module wf2k8s.local/${name}-build"
    echo
    grep -m1 '^go ' "$gomod"
    grep -m1 '^godebug' "$gomod" || true
    echo
    echo "require ${module} ${version}"
    echo
    python3 - "$gomod" "$name" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
lines = []
for block in re.findall(r"^replace \(\n(.*?)^\)", text, re.M | re.S):
    lines += [l.split("//")[0].strip() for l in block.splitlines() if "=>" in l.split("//")[0]]
lines += [m.split("//")[0].strip() for m in re.findall(r"^replace ([^(\n][^\n]*=>[^\n]*)$", text, re.M)]
for line in dict.fromkeys(lines):
    if line.split("=>", 1)[1].strip().startswith((".", "/")):
        sys.exit(f"local replace in {sys.argv[2]}'s go.mod: {line}")
    print("replace", line)
PY
  } > "$wd/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > "$wd/tools.go"
  mkdir -p "$(dirname "$binary")"
  (cd "$wd" && go mod download "$module" && go mod tidy && \
    nice -n 19 go build -trimpath -ldflags "${GO_LDFLAGS_BASE} ${ldflags}" -o "$binary" "$package")
  touch "$(dirname "$binary")/.done"
}

# apply_crds DIR PATTERN CRD DESCRIPTION: every CRD file of DIR named PATTERN, server-side (large CRDs), then
# wait until CRD is established.
apply_crds() {
  local f
  for f in $(find "$1" -name "$2" | sort); do
    kubectl_admin apply --server-side --force-conflicts -f "$f" >/dev/null
  done
  wait_for "$4 CRD established" 60 kubectl_admin wait --for=condition=Established --timeout=5s "crd/$3"
}

# Kubernetes server binaries via a wrapper module: require k8s.io/kubernetes and
# replace every ./staging/src/k8s.io/<name> with the published k8s.io/<name> v0.<minor>.<patch>.
# The replace list is generated from the tag's own go.mod (it changes between releases).
build_kubernetes() {
  local out="${BIN_DIR}/kubernetes-${K8S_VERSION}"
  _built "$out" && return 0
  log "building kubernetes ${K8S_VERSION} (slow: ~15-30 min cold on 2 cores)"
  local staging_ver="v0.${K8S_VERSION#v1.}"
  local wd gomod goline
  wd="$(_wrapper_dir kubernetes "${K8S_VERSION}")"
  gomod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
  goline="$(grep -m1 '^go ' "$gomod")"
  {
    echo "module wf2k8s.local/k8s-build"
    echo
    echo "${goline}"
    grep -m1 '^godebug' "$gomod" || true
    echo
    echo "require k8s.io/kubernetes ${K8S_VERSION}"
    echo
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#replace \1 => \1 '"${staging_ver}"'#p' "$gomod"
  } > "$wd/go.mod"
  grep -q '^replace' "$wd/go.mod" || die "no staging replaces found in k8s.io/kubernetes ${K8S_VERSION} go.mod"
  # Blank import so that `go mod` keeps the requirement.
  cat > "$wd/tools.go" <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kubelet"
GO
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="${GO_LDFLAGS_BASE}" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ld+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$out"
  (cd "$wd" && go mod download k8s.io/kubernetes && \
    go build -trimpath -ldflags "$ld" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
      k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl)
  touch "$out/.done"
  log "kubernetes ${K8S_VERSION} built"
}

# etcd: server/v3's go.mod carries replaces (=> ../api), so build it from a wrapper
# that just requires go.etcd.io/etcd/server/v3 (its published deps are pinned in it).
build_etcd() {
  local out="${BIN_DIR}/etcd-${ETCD_VERSION}"
  _built "$out" && return 0
  log "building etcd ${ETCD_VERSION}"
  local wd; wd="$(_wrapper_dir etcd "${ETCD_VERSION}")"
  cat > "$wd/go.mod" <<MOD
module wf2k8s.local/etcd-build

go 1.23

require (
	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
	go.etcd.io/etcd/etcdctl/v3 ${ETCD_VERSION}
)
MOD
  cat > "$wd/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
GO
  mkdir -p "$out"
  (cd "$wd" && go mod download go.etcd.io/etcd/server/v3 && \
    go build -trimpath -ldflags "${GO_LDFLAGS_BASE} -X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}" \
      -o "$out/etcd" go.etcd.io/etcd/server/v3)
  touch "$out/.done"
  log "etcd ${ETCD_VERSION} built"
}

# Argo Workflows source tree, pinned at ${ARGO_VERSION}, from the Go module proxy, kept in the
# cache (the CRDs are read from it too). Module zips leave out symlinks; the one the build needs,
# signal_linux.go -> signal_darwin.go, is made again as a copy.
argo_source_dir() { echo "${WF2K8S_CACHE}/src/argo-workflows-${ARGO_VERSION}"; }

ensure_argo_source() {
  local src; src="$(argo_source_dir)"
  [[ -f "$src/.done" ]] && return 0
  rm -rf "$src"; mkdir -p "$src"
  local dir
  dir="$(go mod download -json "${ARGO_MODULE}@${ARGO_VERSION}" | \
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("Dir",""))' || true)"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download ${ARGO_MODULE}@${ARGO_VERSION} failed"
  log "argo ${ARGO_VERSION} source from the Go module proxy"
  cp -a "$dir/." "$src/"; chmod -R u+w "$src"
  local os_dir="$src/workflow/executor/osspecific"
  [[ -f "$os_dir/signal_linux.go" ]] || cp "$os_dir/signal_darwin.go" "$os_dir/signal_linux.go"
  grep -q "^module ${ARGO_MODULE}\$" "$src/go.mod" || die "unexpected module path in $src/go.mod"
  touch "$src/.done"
}

# workflow-controller and argoexec, built inside the pinned source tree (its go.mod and
# go.sum, including any replace directives, apply as upstream intends; dependencies come
# from the module proxy).
build_argo() {
  local out="${BIN_DIR}/argo-${ARGO_VERSION}"
  _built "$out" && return 0
  ensure_argo_source
  log "building argo ${ARGO_VERSION} workflow-controller + argoexec"
  local v="${ARGO_MODULE}"
  local ld="${GO_LDFLAGS_BASE} -X ${v}.version=${ARGO_VERSION} -X ${v}.gitTag=${ARGO_VERSION} -X ${v}.gitTreeState=clean -X ${v}.buildDate=1970-01-01T00:00:00Z"
  mkdir -p "$out"
  (cd "$(argo_source_dir)" && go build -trimpath -ldflags "$ld" -o "$out/" ./cmd/workflow-controller ./cmd/argoexec)
  touch "$out/.done"
  log "argo ${ARGO_VERSION} built"
}

# Argo's CLI, which is also its server (`argo server`): what `wf2k8s stop/retry/rerun/logs/...` and a
# user's own `argo` use. Built without the UI: ui/ is a JavaScript project, not part of the Go module;
# like upstream's own non-UI build, an empty ui/dist/app/index.html satisfies the server's embed.
build_argo_cli() {
  local out; out="$(binary_dir argo_cli)"
  _built "$out" && return 0
  ensure_argo_source
  log "building argo ${ARGO_VERSION} CLI and server (no UI)"
  local v="${ARGO_MODULE}" src; src="$(argo_source_dir)"
  local ld="${GO_LDFLAGS_BASE} -X ${v}.version=${ARGO_VERSION} -X ${v}.gitTag=${ARGO_VERSION} -X ${v}.gitTreeState=clean -X ${v}.buildDate=1970-01-01T00:00:00Z"
  mkdir -p "$out" "$src/ui/dist/app"
  [[ -f "$src/ui/dist/app/index.html" ]] || : > "$src/ui/dist/app/index.html"
  (cd "$src" && go build -trimpath -ldflags "$ld" -o "$out/" ./cmd/argo)
  touch "$out/.done"
  log "argo ${ARGO_VERSION} CLI built"
}

# S3 server: versitygw with its posix backend. Chosen over MinIO (repository archived,
# non-semver tags) and moto (in-memory, not S3-faithful); versitygw is a maintained,
# Apache-2.0, pure-Go single binary whose go.mod has no replace directives.
build_versitygw() {
  local out="${BIN_DIR}/versitygw-${VERSITYGW_VERSION}"
  _built "$out" && return 0
  log "building versitygw ${VERSITYGW_VERSION}"
  mkdir -p "$out"
  GOBIN="$out" go install -trimpath -ldflags "${GO_LDFLAGS_BASE}" \
    "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"
  touch "$out/.done"
  log "versitygw ${VERSITYGW_VERSION} built"
}

# Dynamic provisioner for PersistentVolumeClaims (directories under ${WF2K8S_STATE}/volumes), the
# same program kind ships as its default StorageClass, so one set of PVC manifests serves both.
# Its go.mod has no replace directives, so `go install module@version` builds it as released.
build_local_path() {
  local out; out="$(binary_dir local_path)"
  _built "$out" && return 0
  log "building local-path-provisioner ${LOCAL_PATH_VERSION}"
  mkdir -p "$out"
  GOBIN="$out" go install -trimpath -ldflags "${GO_LDFLAGS_BASE} -X main.VERSION=${LOCAL_PATH_VERSION}" \
    "github.com/rancher/local-path-provisioner@${LOCAL_PATH_VERSION}"
  touch "$out/.done"
  log "local-path-provisioner ${LOCAL_PATH_VERSION} built"
}

_pause_source_sum() { cat "${HACK_DIR}/pause/go.mod" "${HACK_DIR}/pause/main.go" | sha256sum | cut -c1-16; }

# Our own pause program (hack/pause, project code).
build_pause() {
  local out="${BIN_DIR}/pause"
  local src="${HACK_DIR}/pause"
  binary_built pause && return 0
  mkdir -p "$out"
  (cd "$src" && GOFLAGS=-buildvcs=false go build -trimpath -ldflags "${GO_LDFLAGS_BASE}" -o "$out/pause" .)
  _pause_source_sum > "$out/.source"
}

k8s_bin() { echo "${BIN_DIR}/kubernetes-${K8S_VERSION}/$1"; }
etcd_bin() { echo "${BIN_DIR}/etcd-${ETCD_VERSION}/etcd"; }
argo_bin() { echo "${BIN_DIR}/argo-${ARGO_VERSION}/$1"; }
argo_cli_bin() { echo "${BIN_DIR}/argo-cli-${ARGO_VERSION}/argo"; }
s3_bin() { echo "${BIN_DIR}/versitygw-${VERSITYGW_VERSION}/versitygw"; }
local_path_bin() { echo "$(binary_dir local_path)/local-path-provisioner"; }
