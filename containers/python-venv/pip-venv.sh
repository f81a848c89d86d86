#!/bin/sh
# wf2k8s-pip-venv DIR REQUIREMENT...: a venv at DIR with the requirements installed. The build
# host's pip settings come in as PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_TRUSTED_HOST (empty: pip's
# defaults) and PIP_CERT_PEM (PEM text of extra CA certificates, e.g. a TLS-intercepting egress),
# which is trusted only while pip runs.
set -eu
dir="$1"; shift
[ -n "${PIP_INDEX_URL:-}" ] || unset PIP_INDEX_URL
[ -n "${PIP_EXTRA_INDEX_URL:-}" ] || unset PIP_EXTRA_INDEX_URL
[ -n "${PIP_TRUSTED_HOST:-}" ] || unset PIP_TRUSTED_HOST
extra_ca=/usr/local/share/ca-certificates/wf2k8s-build.crt
if [ -n "${PIP_CERT_PEM:-}" ]; then
  printf '%s\n' "$PIP_CERT_PEM" > "$extra_ca"
  update-ca-certificates >/dev/null
fi
export PIP_CERT=/etc/ssl/certs/ca-certificates.crt PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m venv "$dir"
"$dir/bin/pip" install --quiet "$@"
if [ -n "${PIP_CERT_PEM:-}" ]; then
  rm -f "$extra_ca"
  update-ca-certificates --fresh >/dev/null
fi
