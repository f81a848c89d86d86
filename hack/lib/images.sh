# shellcheck shell=bash
# Local container images, built without any registry:
#   wf2k8s/base:bookworm               debootstrap minbase + python3 + ca-certificates (rootfs tar cached)
#   ${PAUSE_TAG}                       our hack/pause program (containerd sandbox_image)
#   quay.io/argoproj/argoexec:<ver>    base + /bin/argoexec (same name as upstream, so one
#                                      controller config serves both this cluster and kind)
#   wf2k8s/<name>:<project version>    every containers/<name>/Dockerfile (FROM wf2k8s/base:bookworm)
# Images are built with docker (legacy builder, never pulls) and then copied into
# containerd's k8s.io namespace, which the kubelet uses.

IMAGE_PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BASE_PACKAGES="python3,ca-certificates,media-types,netbase,tzdata"

base_rootfs_tar() { echo "${WF2K8S_CACHE}/rootfs/debian-${DEBIAN_SUITE}-minbase-v1.tar"; }

build_base_rootfs() {
  local tar; tar="$(base_rootfs_tar)"
  [[ -s "$tar" ]] && return 0
  local mirror; mirror="$(apt_mirror)"
  local root="${WF2K8S_CACHE}/rootfs/build-${DEBIAN_SUITE}"
  log "debootstrap ${DEBIAN_SUITE} minbase from ${mirror}"
  rm -rf "$root"; mkdir -p "$root"
  debootstrap --variant=minbase --include="${BASE_PACKAGES}" "${DEBIAN_SUITE}" "$root" "$mirror" >&2
  # Slim down: apt lists, caches, docs.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
         "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  tar -C "$root" --numeric-owner -cf "${tar}.tmp" . && mv "${tar}.tmp" "$tar"
  rm -rf "$root"
}

# _docker_build ARGS...: legacy builder (never pulls a local FROM image); output shown on failure.
_docker_build() {
  local out
  if ! out="$(DOCKER_BUILDKIT=0 docker build "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "docker build $* failed"
  fi
}

# Label carrying the input fingerprint, so images are rebuilt only when inputs change.
_image_label() { docker image inspect -f '{{ index .Config.Labels "wf2k8s.input" }}' "$1" 2>/dev/null || true; }

build_base_image() {
  build_base_rootfs
  local tar sum; tar="$(base_rootfs_tar)"; sum="$(basename "$tar")"
  [[ "$(_image_label "${BASE_IMAGE}")" == "$sum" ]] && return 0
  log "importing ${BASE_IMAGE}"
  docker import --change "ENV ${IMAGE_PATH_ENV}" --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' --change "LABEL wf2k8s.input=${sum}" "$tar" "${BASE_IMAGE}" >/dev/null
}

build_pause_image() {
  local bin="${BIN_DIR}/pause/pause" sum
  sum="$(sha256sum "$bin" | cut -c1-16)"
  [[ "$(_image_label "${PAUSE_TAG}")" == "$sum" ]] && return 0
  log "building ${PAUSE_TAG}"
  tar -C "$(dirname "$bin")" --owner=0 --group=0 -c pause | \
    docker import --change 'ENTRYPOINT ["/pause"]' --change "LABEL wf2k8s.input=${sum}" - "${PAUSE_TAG}" >/dev/null
}

build_argoexec_image() {
  local bin; bin="$(argo_bin argoexec)"
  local sum; sum="$(sha256sum "$bin" | cut -c1-16)-$(docker image inspect -f '{{.Id}}' "${BASE_IMAGE}" | cut -c8-20)"
  [[ "$(_image_label "${ARGOEXEC_IMAGE}")" == "$sum" ]] && return 0
  log "building ${ARGOEXEC_IMAGE}"
  local ctx; ctx="$(mktemp -d)"
  cp "$bin" "$ctx/argoexec"
  cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM ${BASE_IMAGE}
COPY argoexec /bin/argoexec
LABEL wf2k8s.input=${sum}
ENTRYPOINT ["argoexec"]
DOCKERFILE
  _docker_build -t "${ARGOEXEC_IMAGE}" "$ctx"
  rm -rf "$ctx"
}

# containers/<name>/Dockerfile -> wf2k8s/<name>:<version>. Built with --network host so a
# Dockerfile can apt-get/pip install through the host's network; the host's pip index
# configuration is passed as build args (see pip_build_args).
# Those FROM wf2k8s/base come first: the others are FROM one of them (wf2k8s/python-venv).
project_images() {
  local d
  for d in "${REPO_ROOT}"/containers/*/; do
    [[ -f "$d/Dockerfile" ]] && grep -q "^FROM ${BASE_IMAGE}\$" "$d/Dockerfile" && basename "$d"
  done
  for d in "${REPO_ROOT}"/containers/*/; do
    [[ -f "$d/Dockerfile" ]] && ! grep -q "^FROM ${BASE_IMAGE}\$" "$d/Dockerfile" && basename "$d"
  done
  return 0
}

# The image a Dockerfile starts FROM (its \${WF2K8S_VERSION} filled in).
_from_image() {
  sed -n 's/^FROM //p' "$1" | head -n 1 | sed "s/\${WF2K8S_VERSION}/$(project_version)/"
}

# Build context: containers/<name>/, or the repository root when the Dockerfile contains
# the line "# wf2k8s-build-context: repo" (to COPY the wf2k8s package, pyproject.toml, ...), or
# containers/ with "# wf2k8s-build-context: containers" (to COPY a file of another image's directory).
_image_context() {
  if grep -q '^# wf2k8s-build-context: repo' "$1/Dockerfile"; then echo "${REPO_ROOT}"
  elif grep -q '^# wf2k8s-build-context: containers' "$1/Dockerfile"; then echo "${REPO_ROOT}/containers"
  else echo "$1"; fi
}

# Fingerprint of an image's inputs: files of its context (git-visible files for the repo).
_context_fingerprint() {
  local ctx="$1"
  if [[ "$ctx" == "${REPO_ROOT}" ]]; then
    (cd "$ctx" && git ls-files -co --exclude-standard -z | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16)
  else
    (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  fi
}

build_project_images() {
  local version name
  version="$(project_version)"
  for name in $(project_images); do
    local dir="${REPO_ROOT}/containers/${name}" tag="wf2k8s/${name}:${version}" ctx sum
    ctx="$(_image_context "$dir")"
    sum="$(_context_fingerprint "$ctx")-$(docker image inspect -f '{{.Id}}' "$(_from_image "${dir}/Dockerfile")" | cut -c8-20)"
    [[ "$(_image_label "$tag")" == "$sum" ]] && continue
    log "building ${tag} (context ${ctx})"
    local build_args=()
    mapfile -t build_args < <(pip_build_args)
    build_args+=(--build-arg "WF2K8S_VERSION=${version}")
    if grep -q '^ARG PIP_CERT_PEM' "${dir}/Dockerfile"; then
      build_args+=(--build-arg "PIP_CERT_PEM=$(host_extra_ca_pem)")
    fi
    _docker_build --network host "${build_args[@]}" \
      --label "wf2k8s.input=${sum}" -f "${dir}/Dockerfile" -t "$tag" "$ctx"
  done
  # a rebuilt image leaves its previous one untagged (GBs for the model servers): gone, or the disk fills
  # and the kubelet garbage-collects the cluster's images (Debian's containerd ignores the pinned label)
  docker image prune -f --filter "label=wf2k8s.input" >/dev/null
}

# Forward the host's pip index configuration to docker builds, one argument per line
# (as build args, which a Dockerfile may declare with ARG PIP_INDEX_URL etc.).
pip_build_args() {
  local idx extra trusted
  idx="${PIP_INDEX_URL:-$(pip3 config get global.index-url 2>/dev/null || true)}"
  extra="${PIP_EXTRA_INDEX_URL:-$(pip3 config get global.extra-index-url 2>/dev/null || true)}"
  trusted="${PIP_TRUSTED_HOST:-$(pip3 config get global.trusted-host 2>/dev/null || true)}"
  [[ -n "$idx" ]] && printf -- '--build-arg\nPIP_INDEX_URL=%s\n' "$idx"
  [[ -n "$extra" ]] && printf -- '--build-arg\nPIP_EXTRA_INDEX_URL=%s\n' "$extra"
  [[ -n "$trusted" ]] && printf -- '--build-arg\nPIP_TRUSTED_HOST=%s\n' "$trusted"
  return 0
}

# Extra CA certificates this host trusts locally (e.g. a TLS-intercepting egress proxy), as
# PEM text. Passed as --build-arg PIP_CERT_PEM=... (Dockerfiles declare ARG PIP_CERT_PEM,
# add it to their trust store for apt/pip steps and remove it afterwards).
host_extra_ca_pem() {
  local f
  for f in /usr/local/share/ca-certificates/*.crt; do
    [[ -f "$f" ]] && cat "$f"
  done
  return 0
}

# Fully qualified reference as containerd/CRI stores it (docker.io/ prefix for short names).
normalized_ref() {
  local ref="$1" first="${1%%/*}"
  [[ "$ref" == */* ]] || ref="library/${ref}"
  if [[ "$first" == *.* || "$first" == *:* || "$first" == localhost ]] && [[ "$1" == */* ]]; then
    echo "$ref"
  else
    echo "docker.io/${ref}"
  fi
}

# Copy a docker image into containerd's k8s.io namespace (only when the docker image id
# changed since the last copy), pinned so that nothing garbage-collects it.
load_image_into_containerd() {
  local img="$1" id ref marker
  id="$(docker image inspect -f '{{.Id}}' "$img")"
  ref="$(normalized_ref "$img")"
  marker="${WF2K8S_CACHE}/loaded-images/$(echo "$ref" | tr '/:' '__')"
  if [[ -f "$marker" && "$(cat "$marker")" == "$id" ]] && \
     ctr -n k8s.io images ls -q "name==${ref}" 2>/dev/null | grep -q .; then
    return 0
  fi
  log "loading ${img} into containerd"
  docker save "$img" | ctr -n k8s.io images import - >/dev/null
  ctr -n k8s.io images label "$ref" io.cri-containerd.pinned=pinned >/dev/null
  mkdir -p "$(dirname "$marker")"
  echo "$id" > "$marker"
}

build_all_images() {
  build_base_image
  build_pause_image
  build_argoexec_image
  build_project_images
}

load_all_images() {
  local img
  for img in "${BASE_IMAGE}" "${PAUSE_TAG}" "${ARGOEXEC_IMAGE}"; do
    load_image_into_containerd "$img"
  done
  local version name; version="$(project_version)"
  for name in $(project_images); do
    load_image_into_containerd "wf2k8s/${name}:${version}"
  done
}
