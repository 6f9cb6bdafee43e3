"""What every option case checks (test_options_*.py): every option skyflo accepts that changes
what a container gets starts the real components: migrations applied, /api/v1/health/ healthy,
`admin create` and a login work, MCP lists its tools; each case then checks what its option is
for. The UI pod is not started for them (test_agent and test_browser run it); each case installs
into a namespace of its own. Three files, so that the parallel workers (a file each) share them."""
import json

import client


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


