# shellcheck shell=bash
# Sourced by `up` and `apiserver`: the kube-apiserver flags of the test control plane.
#   apiserver_flags DIR ETCD_PORT SECURE_PORT AUDIT_LOG
apiserver_flags() {
  local d=$1 etcd=$2 port=$3 audit=$4
  local p="$d/pki"
  echo --etcd-servers="http://127.0.0.1:$etcd" \
    --bind-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$p/admin.crt" --tls-private-key-file="$p/admin.key" --client-ca-file="$p/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$p/admin.key" --service-account-signing-key-file="$p/admin.key" \
    --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=Node,RBAC --allow-privileged=true \
    --proxy-client-cert-file="$p/admin.crt" --proxy-client-key-file="$p/admin.key" \
    --audit-policy-file="$d/audit-policy.yaml" --audit-log-path="$audit" \
    --audit-log-maxsize=200 --audit-log-maxbackup=2 \
    --kubelet-preferred-address-types=InternalIP
}
