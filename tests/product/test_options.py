"""Every option skyflo accepts that changes what a container gets starts the real components:
migrations applied, /api/v1/health/ healthy, `admin create` and a login work, MCP lists its
tools; plus what the option itself is for. The UI pod is not started here (test_agent and
test_browser run it); each case installs into a namespace of its own."""
import base64
import hashlib
import hmac
import json

import pytest

import client
import kubelet
import services
from conftest import Installation


UGLY_USER = "sky flo@user"
UGLY_PASSWORD = "p@ss:w/rd%?#&=+ é"


def basics(inst, db=None):
    """The checks every case makes; `db` runs SQL where the engine's data lives."""
    psql = db or inst.stack.psql
    assert int(psql("select count(*) from aerich")) >= 4, inst.stack.migrations
    status, _, body = client.request("GET", f"{inst.engine_base}/api/v1/health/")
    assert status == 200, body
    status, _, body = client.request("GET", f"{inst.engine_base}/api/v1/health/database")
    assert status == 200 and "unhealthy" not in body, body
    inst.create_admin()
    token = inst.token(inst.engine_base)
    assert psql("select role from users") == "admin"
    assert "k8s_get" in client.mcp_tools(inst.stack.mcp_port)
    return token


def chat_engine(inst, token, text):
    conv = new_conversation_engine(inst, token)
    return client.sse_events(inst.engine_base, "/api/v1/agent/chat",
                             {"messages": [{"role": "user", "content": text}], "conversation_id": conv}, token)


def new_conversation_engine(inst, token):
    status, _, body = client.request("POST", f"{inst.engine_base}/api/v1/conversations/", {"title": "case"},
                                     {"Authorization": f"Bearer {token}"})
    assert status in (200, 201), body
    return json.loads(body)["id"]


def run_case(inst, check, ui=False):
    try:
        inst.up(ui=ui)
        check(inst)
    except Exception:
        print(inst.diagnostics())
        raise
    finally:
        inst.down()


@pytest.mark.parametrize("effort", ["low", "medium", "high", "default"])
def test_reasoning_effort(effort):
    def check(inst):
        token = basics(inst)
        assert kubelet.pod(inst.ns, "engine", "skyflo").containers["engine"].env["LLM_REASONING_EFFORT"] == effort
        events = chat_engine(inst, token, "hello")
        assert "token" in [e for e, _ in events], events
    run_case(Installation("opt-effort", llm_extra=f"reasoningEffort: {effort}"), check)


# Each provider form skyflo renders, with llm.host: the engine's LLM request reaches llm.host at
# the provider's documented path. The scripted server answers the OpenAI-compatible ones; for the
# others it records the request and refuses it, and the case says so.
PROVIDERS = [
    ("openai/scripted-model", "OPENAI_API_KEY", "/v1/chat/completions", True),
    ("hosted_vllm/scripted-model", "HOSTED_VLLM_API_KEY", "/v1/chat/completions", True),
    ("ollama/scripted-model", None, "/v1/api/generate", False),
    ("anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY", "/v1/v1/messages", False),
    ("gemini/gemini-2.5-pro", "GEMINI_API_KEY", None, False),
]


@pytest.mark.parametrize("model,key,path,answered", PROVIDERS, ids=[p[0].split("/")[0] for p in PROVIDERS])
def test_llm_provider_form_reaches_llm_host(model, key, path, answered):
    env = {key: "sk-product-provider"} if key else {}

    def check(inst):
        token = basics(inst)
        events = chat_engine(inst, token, "hello")
        reqs = inst.llm.requests()
        assert reqs, f"{model}: no LLM request reached llm.host; events: {[e for e, _ in events]}"
        paths = sorted({r["path"] for r in reqs})
        print(f"{model}: requests at llm.host: {paths}")
        if path:
            assert path in paths, paths
        if answered:
            assert "token" in [e for e, _ in events], events
        else:
            print(f"{model}: the scripted server does not speak this provider's API; only where the request went is proven")
        log = inst.stack.log("engine", tail=100000)
        for host in ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "localhost:11434"]:
            assert host not in log, f"{model}: the engine named {host}"
    run_case(Installation("opt-llm", model=model, env=env), check)


def test_external_postgres_verify_full_with_a_user_and_password_that_need_encoding(tmp_path):
    certs = services.ca(tmp_path / "ca")
    pg = services.Postgres(UGLY_USER, UGLY_PASSWORD, "skyflo", certs)
    try:
        secrets = {"ext-pg": {"POSTGRES_USER": UGLY_USER, "POSTGRES_PASSWORD": UGLY_PASSWORD},
                   "ext-ca": {"ca.crt": (certs / "ca.crt").read_text()}}
        engine = (f"databaseConfig:\n  host: 127.0.0.1\n  port: {pg.port}\n  database: skyflo\n"
                  "  secretName: ext-pg\n  sslMode: verify-full\n  caSecret: ext-ca")
        inst = Installation("opt-pgtls", engine_extra=engine, secrets=secrets)
        run_case(inst, lambda i: basics(i, pg.psql) and _ssl_used(pg))
    finally:
        pg.stop()


def _ssl_used(pg):
    # Every connection of the engine (pool and checkpointer) is TLS: pg_hba allows hostssl only.
    assert int(pg.psql("select count(*) from pg_stat_ssl where ssl")) >= 1
    return True


def test_external_postgres_sslmode_require(tmp_path):
    certs = services.ca(tmp_path / "ca")
    pg = services.Postgres("skyflo", "plain-password", "skyflo", certs)
    try:
        secrets = {"ext-pg": {"POSTGRES_USER": "skyflo", "POSTGRES_PASSWORD": "plain-password"}}
        engine = (f"databaseConfig:\n  host: 127.0.0.1\n  port: {pg.port}\n  database: skyflo\n"
                  "  secretName: ext-pg\n  sslMode: require")
        run_case(Installation("opt-pgreq", engine_extra=engine, secrets=secrets),
                 lambda i: basics(i, pg.psql) and _ssl_used(pg))
    finally:
        pg.stop()


@pytest.mark.parametrize("tls", [False, True], ids=["password", "tls"])
def test_external_redis(tmp_path, tls):
    certs = services.ca(tmp_path / "ca") if tls else None
    redis = services.Redis(tmp_path / "redis", UGLY_PASSWORD, certs)
    try:
        secrets = {"ext-redis": {"REDIS_PASSWORD": UGLY_PASSWORD}}
        engine = f"redisConfig:\n  host: 127.0.0.1\n  port: {redis.port}\n  secretName: ext-redis"
        if tls:
            secrets["redis-ca"] = {"ca.crt": (certs / "ca.crt").read_text()}
            engine += "\n  tls: true\n  caSecret: redis-ca"

        def check(inst):
            token = basics(inst)
            # The agent's stream runs over Redis pub/sub: an answer proves the engine uses it.
            events = chat_engine(inst, token, "hello")
            assert "token" in [e for e, _ in events], events
        run_case(Installation("opt-redis", engine_extra=engine, secrets=secrets), check)
    finally:
        redis.stop()


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
