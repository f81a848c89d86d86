# shellcheck shell=bash
# Host preparation: Debian packages (from the machine's configured apt sources).

HOST_PACKAGES=(
  docker.io containerd runc containernetworking-plugins iptables conntrack
  debootstrap openssl ca-certificates gettext-base socat ethtool iproute2 curl
  python3 procps util-linux
  graphviz chromium
)

# ensure_host_packages [PACKAGE...]: those (default: HOST_PACKAGES) installed from Debian
ensure_host_packages() {
  local missing=() p
  (( $# )) || set -- "${HOST_PACKAGES[@]}"
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  (( ${#missing[@]} )) || return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The Debian docker.io/containerd postinst scripts try to start services; there is
  # no init system here, so a policy-rc.d that forbids starting them keeps apt quiet.
  local prc=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $prc ]]; then printf '#!/bin/sh\nexit 101\n' > $prc; chmod +x $prc; created=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  (( created )) && rm -f $prc
  return 0
}

ensure_kernel_settings() {
  sysctl -qw net.ipv4.ip_forward=1 || true
  if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
    sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true
    sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 || true
  fi
  swapoff -a 2>/dev/null || true
}
