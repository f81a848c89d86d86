# shellcheck shell=bash
# PKI and kubeconfigs for the local cluster (openssl, kept under ${PKI_DIR}).
# Generated once; regenerated only if missing or if the node IP changed.

NODE_NAME="${NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}"

# _cert NAME SUBJECT [SAN]: client/server certificate signed by the cluster CA.
_cert() {
  local name="$1" subj="$2" san="${3:-}"
  [[ -s "${PKI_DIR}/${name}.crt" ]] && return 0
  local ext="${PKI_DIR}/${name}.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [[ -n "$san" ]] && echo "subjectAltName=${san}"
  } > "$ext"
  openssl genrsa -out "${PKI_DIR}/${name}.key" 2048 2>/dev/null
  openssl req -new -key "${PKI_DIR}/${name}.key" -subj "$subj" -out "${PKI_DIR}/${name}.csr" 2>/dev/null
  openssl x509 -req -in "${PKI_DIR}/${name}.csr" -CA "${PKI_DIR}/ca.crt" -CAkey "${PKI_DIR}/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$ext" -out "${PKI_DIR}/${name}.crt" 2>/dev/null
  rm -f "${PKI_DIR}/${name}.csr" "$ext"
}

# _kubeconfig NAME CERTNAME: kubeconfig using client cert CERTNAME against the node IP.
_kubeconfig() {
  local name="$1" cert="$2" file="${WF2K8S_STATE}/$1.kubeconfig"
  local ip; ip="$(node_ip)"
  cat > "${file}.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: wf2k8s
  cluster:
    certificate-authority-data: $(base64 -w0 < "${PKI_DIR}/ca.crt")
    server: https://${ip}:${APISERVER_PORT}
users:
- name: ${name}
  user:
    client-certificate-data: $(base64 -w0 < "${PKI_DIR}/${cert}.crt")
    client-key-data: $(base64 -w0 < "${PKI_DIR}/${cert}.key")
contexts:
- name: wf2k8s
  context:
    cluster: wf2k8s
    user: ${name}
    namespace: ${3:-default}
current-context: wf2k8s
KC
  chmod 600 "${file}.tmp"; mv "${file}.tmp" "$file"
}

ensure_pki() {
  mkdir -p "${PKI_DIR}"; chmod 700 "${PKI_DIR}"
  local ip; ip="$(node_ip)"
  [[ -n "$ip" ]] || die "cannot determine the node IP"
  # Node IP changed (e.g. new VM from the same cache): reissue the serving cert.
  if [[ -f "${PKI_DIR}/node-ip" && "$(cat "${PKI_DIR}/node-ip")" != "$ip" ]]; then
    log "node IP changed; reissuing apiserver/kubelet certificates"
    rm -f "${PKI_DIR}/apiserver.crt" "${PKI_DIR}/kubelet.crt"
  fi
  echo "$ip" > "${PKI_DIR}/node-ip"
  if [[ ! -s "${PKI_DIR}/ca.crt" ]]; then
    log "creating cluster CA"
    openssl genrsa -out "${PKI_DIR}/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -nodes -key "${PKI_DIR}/ca.key" -subj "/CN=wf2k8s-ca" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "${PKI_DIR}/ca.crt" 2>/dev/null
  fi
  [[ -s "${PKI_DIR}/sa.key" ]] || {
    openssl genrsa -out "${PKI_DIR}/sa.key" 2048 2>/dev/null
    openssl rsa -in "${PKI_DIR}/sa.key" -pubout -out "${PKI_DIR}/sa.pub" 2>/dev/null
  }
  _cert apiserver "/CN=kube-apiserver" \
    "IP:${API_SERVICE_IP},IP:127.0.0.1,IP:${ip},DNS:localhost,DNS:${NODE_NAME},DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  _cert admin "/O=system:masters/CN=wf2k8s-admin"
  _cert kubelet "/O=system:nodes/CN=system:node:${NODE_NAME}" "IP:${ip},IP:127.0.0.1,DNS:${NODE_NAME},DNS:localhost"
  _cert controller-manager "/CN=system:kube-controller-manager"
  _cert scheduler "/CN=system:kube-scheduler"
  _cert kube-proxy "/CN=system:kube-proxy"
  _cert argo-controller "/CN=wf2k8s:argo-workflow-controller"
  _cert argo-server "/CN=wf2k8s:argo-server"
  _cert local-path-provisioner "/CN=wf2k8s:local-path-provisioner"
  _kubeconfig admin admin
  _kubeconfig kubelet kubelet
  _kubeconfig controller-manager controller-manager
  _kubeconfig scheduler scheduler
  _kubeconfig kube-proxy kube-proxy
  _kubeconfig argo-controller argo-controller "${NAMESPACE}"
  _kubeconfig argo-server argo-server "${NAMESPACE}"
  _kubeconfig local-path-provisioner local-path-provisioner "${LOCAL_PATH_NAMESPACE}"
}
