"""The agent as installed: upstream's engine, MCP, UI and proxy started from what `skyflo install`
put in the cluster (cluster-admin access), the first admin made by `skyflo admin create`."""
import json
import time

import client
import kubelet
from conftest import victim


def chat(inst, token, text, conversation_id):
    return client.sse_events(inst.base, "/api/v1/agent/chat",
                             {"messages": [{"role": "user", "content": text}], "conversation_id": conversation_id},
                             token)


def new_conversation(inst, token):
    status, _, body = client.request("POST", f"{inst.base}/api/v1/conversations/", {"title": "product tier"},
                                     {"Authorization": f"Bearer {token}"})
    assert status in (200, 201), body
    return json.loads(body)["id"]


def names(events, kind):
    return [e for e, _ in events if e == kind]


def test_engine_migrated_and_healthy(inst):
    assert int(inst.stack.psql("select count(*) from aerich")) >= 4, inst.stack.migrations
    for path in ["/api/v1/health/", "/api/v1/health/database"]:
        status, _, body = client.request("GET", f"http://127.0.0.1:{inst.stack.engine_port}{path}")
        assert status == 200 and "unhealthy" not in body and "error" not in body.lower(), (path, body)


def test_admin_create_made_the_admin_in_the_real_engine(inst):
    rows = inst.stack.psql("select email, role, is_superuser from users")
    assert rows.splitlines() == [f"{inst.admin_email}|admin|t"], rows
    assert inst.token()


def test_mcp_lists_its_tools(inst):
    tools = client.mcp_tools(inst.stack.mcp_port)
    for t in ["k8s_get", "k8s_delete", "helm_list_releases"]:
        assert t in tools, tools


def test_agent_reads_the_cluster_through_mcp_and_streams(inst):
    token = inst.token()
    conv = new_conversation(inst, token)
    args = json.dumps({"resource_type": "deployments", "namespace": inst.ns, "output": "name"})
    events = chat(inst, token, f"TOOL k8s_get {args}", conv)
    kinds = [e for e, _ in events]
    assert "tool.result" in kinds, events
    result = json.dumps([d for e, d in events if e == "tool.result"])
    seen = kubelet.kubectl("get", "deployments", "-n", inst.ns, "-o", "name").stdout.split()
    assert seen and all(n in result for n in seen), (seen, result)
    tokens = [d for e, d in events if e == "token"]
    assert len(tokens) > 2, f"the answer arrives in pieces: {kinds}"
    assert "TOOL RESULT" in "".join(d.get("text", "") for d in tokens)
    # The MCP ServiceAccount's own token ran it: the API server's answer for that user is what
    # the agent saw (cluster-admin: the deployments of the namespace).
    status, _, body = client.request("GET", f"{inst.base}/api/v1/conversations/{conv}",
                                     headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and "TOOL RESULT" in body, body[:500]


def test_approval_gated_delete_runs_under_cluster_admin(inst):
    with victim(inst.ns + "-victim") as victim_ns:
        token = inst.token()
        conv = new_conversation(inst, token)
        args = json.dumps({"resource_type": "deployment", "name": "victim", "namespace": victim_ns})
        events = chat(inst, token, f"TOOL k8s_delete {args}", conv)
        waiting = [d for e, d in events if e == "tool.awaiting_approval"]
        assert waiting, f"a delete waits for approval: {[e for e, _ in events]}"
        assert kubelet.kubectl("get", "deployment", "victim", "-n", victim_ns, check=False).returncode == 0
        call_id = waiting[0]["call_id"]
        events = client.sse_events(inst.base, f"/api/v1/agent/approvals/{call_id}",
                                   {"approve": True, "conversation_id": conv}, token)
        assert "tool.result" in [e for e, _ in events], events
        gone = kubelet.kubectl("get", "deployment", "victim", "-n", victim_ns, check=False)
        assert gone.returncode != 0 and "NotFound" in gone.stderr, gone.stdout


def test_every_llm_request_reaches_llm_host(inst):
    token = inst.token()
    conv = new_conversation(inst, token)
    before = len(inst.llm.requests())
    events = chat(inst, token, "hello", conv)
    starts = len([e for e, _ in events if e == "generation.start"])
    time.sleep(1)  # a title is generated after the answer
    reqs = inst.llm.requests()[before:]
    assert starts >= 1 and len([r for r in reqs if r["tools"]]) == starts, (starts, reqs)
    assert all(r["path"] == "/v1/chat/completions" and r["authorization"] for r in reqs), reqs
    assert all(r["model"] == "scripted-model" for r in reqs), reqs
    # The agent's requests offer MCP's tools (a title request, which may arrive late from an
    # earlier conversation, offers none).
    assert all("k8s_get" in r["tools"] for r in reqs if r["tools"]), [r["tools"] for r in reqs]
    # The engine never talked to another LLM endpoint: its log names no provider host.
    log = inst.stack.log("engine", tail=100000)
    for host in ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"]:
        assert host not in log, host


def test_anonymous_client_cannot_read_a_conversation_through_the_ui_routes(inst):
    token = inst.token()
    conv = new_conversation(inst, token)
    chat(inst, token, "a private question", conv)
    for method, body in [("GET", None), ("PATCH", {"title": "renamed by nobody"}), ("DELETE", None)]:
        status, _, text = client.request(method, f"{inst.base}/api/conversation/{conv}", body)
        assert status in (401, 403), f"{method} /api/conversation/<id> without a login: {status} {text[:300]}"
    status, _, text = client.request("GET", f"{inst.base}/api/v1/conversations/{conv}",
                                     headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and "renamed by nobody" not in text, text[:300]


def test_proxy_sends_upstreams_security_headers(inst):
    status, headers, _ = client.request("GET", f"{inst.base}/login")
    assert status == 200
    h = {k.lower(): v for k, v in headers.items()}
    assert "default-src 'self'" in h.get("content-security-policy", ""), h
    assert h.get("permissions-policy") == "camera=(), microphone=(), geolocation=()", h
    for k in ["x-frame-options", "x-content-type-options", "referrer-policy"]:
        assert k in h, h


def test_verify_proxy_auth_passes_with_the_real_ui_and_catches_one_that_bypasses_the_gate(inst):
    from conftest import skyflo
    ok = skyflo("verify", "-n", inst.ns, "--check", "proxy-auth", check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "through the UI's routes too" in ok.stdout, ok.stdout
    # The UI's server pointed at the engine Service, as skyflo rendered it before: verify says so.
    inst.stack.restart_ui({"API_URL": f"http://127.0.0.1:{inst.stack.engine_port}/api/v1"})
    try:
        bad = skyflo("verify", "-n", inst.ns, "--check", "proxy-auth", check=False)
        assert bad.returncode == 3, bad.stdout + bad.stderr
        assert "past the proxy's gate" in bad.stdout, bad.stdout
    finally:
        inst.stack.restart_ui()


def test_a_forged_forwarded_for_does_not_dodge_the_engines_limits(inst):
    """The proxy tells the engine the connection's address, not the one a client claims: 150
    admin checks from one client, each claiming another address, still hit the per-client limit."""
    said = client.flood(inst.stack.proxy_port, "/api/v1/auth/is_admin_user", 150, "127.0.0.3",
                        headers=lambda i: {"X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"}, method="GET")
    codes = [c for c, _ in said]
    assert 429 in codes, f"no 429 in {sorted(set(codes))}"


def test_a_member_cannot_make_itself_admin(inst):
    """The engine's PATCH /auth/me and /auth/users/me take `role` from the body; the proxy refuses
    profile self-edits (nginx cannot read JSON), and the UI's profile route says so."""
    admin = inst.token()
    email, password = "member@example.com", "Member-pass-123"
    status, _, body = client.request("POST", f"{inst.base}/api/v1/team/members",
                                     {"email": email, "password": password, "role": "member"},
                                     {"Authorization": f"Bearer {admin}"})
    assert status == 201, body
    member = client.login(inst.base, email, password)
    for path in ["/api/v1/auth/me", "/api/v1/auth/users/me", "/api/v1/auth/me/"]:
        for field in [{"role": "admin"}, {"is_superuser": True}]:
            status, _, body = client.request("PATCH", f"{inst.base}{path}", field,
                                             {"Authorization": f"Bearer {member}"})
            assert status == 403, f"PATCH {path} {field}: {status} {body}"
    # Through the UI's own route (its server relays the body to the engine).
    status, _, body = client.request("PATCH", f"{inst.base}/api/profile", {"role": "admin"},
                                     {"Cookie": f"auth_token={member}"})
    assert status >= 400 and "profile" in body.lower(), body
    assert inst.stack.psql(f"select role, is_superuser from users where email = '{email}'") == "member|f"
    # Passwords still change on their own route.
    status, _, body = client.request("PATCH", f"{inst.base}/api/v1/auth/users/me/password",
                                     {"current_password": password, "new_password": "Member-pass-456"},
                                     {"Authorization": f"Bearer {member}"})
    assert status == 200, body
