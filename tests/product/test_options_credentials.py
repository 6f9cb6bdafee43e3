"""MCP's kubeconfig Secret with access level none, and the user's own Secrets for every credential. See options.py for what every case checks."""
import base64
import hashlib
import hmac
import json

import client
import kubelet
from conftest import Installation
from options import UGLY_PASSWORD, basics, chat_engine, run_case


def test_mcp_kubeconfig_secret_with_access_level_none():
    """MCP uses the mounted kubeconfig (a `view` identity here) and mounts no token of its own."""
    sa_ns = "opt-kc-identity"
    kubelet.kubectl("create", "namespace", sa_ns, check=False)
    kubelet.kubectl("create", "serviceaccount", "viewer", "-n", sa_ns, check=False)
    kubelet.kubectl("create", "clusterrolebinding", "opt-kc-viewer", "--clusterrole=view",
                    f"--serviceaccount={sa_ns}:viewer", check=False)
    token = kubelet.kubectl("create", "token", "viewer", "-n", sa_ns, "--duration", "3600s").stdout.strip()
    kc = json.loads(kubelet.kubectl("config", "view", "--minify", "--raw", "-o", "json").stdout)
    kc["users"] = [{"name": "viewer", "user": {"token": token}}]
    kc["contexts"][0]["context"]["user"] = "viewer"
    secrets = {"mcp-kubeconfig": {"kubeconfig": json.dumps(kc)}}

    def check(inst):
        basics(inst)
        mcp = inst.stack.pods["mcp"].containers["mcp"]
        assert "/var/run/secrets/kubernetes.io/serviceaccount" not in mcp.files, mcp.files.keys()
        out = client.mcp_call(inst.stack.mcp_port, "k8s_get", {"resource_type": "namespaces", "output": "name"})
        assert f"namespace/{inst.ns}" in out, out
        denied = client.mcp_call(inst.stack.mcp_port, "k8s_delete", {"resource_type": "namespace", "name": sa_ns})
        assert "forbidden" in denied.lower(), denied
    try:
        run_case(Installation("opt-kc", access="none", mcp_extra="kubeconfigSecret: mcp-kubeconfig",
                              secrets=secrets), check)
    finally:
        kubelet.kubectl("delete", "clusterrolebinding", "opt-kc-viewer", check=False)
        kubelet.kubectl("delete", "namespace", sa_ns, "--wait=false", check=False)


def test_existing_secrets_for_every_credential():
    """The JWT key, the LLM key and the in-cluster database password from the user's Secrets:
    the engine signs with that key, calls the LLM with that key, and PostgreSQL has that password."""
    jwt_key = "user-jwt-" + "k" * 40
    llm_key = "sk-user-llm-key"
    secrets = {"my-jwt": {"JWT_SECRET": jwt_key}, "my-llm": {"OPENAI_API_KEY": llm_key},
               "my-pg": {"POSTGRES_PASSWORD": UGLY_PASSWORD}}

    def check(inst):
        token = basics(inst)
        head, body, sig = token.split(".")
        want = base64.urlsafe_b64encode(hmac.new(jwt_key.encode(), f"{head}.{body}".encode(),
                                                 hashlib.sha256).digest()).rstrip(b"=").decode()
        assert sig == want, "the engine signs with the user's JWT_SECRET"
        assert inst.stack.pods["postgres"].containers["postgres"].env["POSTGRES_PASSWORD"] == UGLY_PASSWORD
        chat_engine(inst, token, "hello")
        assert inst.llm.requests() and all(r["authorization"] for r in inst.llm.requests())
        want = hashlib.sha256(llm_key.encode()).hexdigest()
        assert all(r["key_sha256"] == want for r in inst.llm.requests()), "the LLM was called with the user's key"
    run_case(Installation("opt-secrets", env={},
                          engine_extra="jwtSecretName: my-jwt\ndatabaseConfig:\n  secretName: my-pg",
                          llm_extra="apiKeySecret: my-llm", secrets=secrets), check)
