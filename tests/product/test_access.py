"""MCP's access level as installed: under `read-only` the agent reads the cluster, and an
approved delete is Forbidden by the API server for MCP's own ServiceAccount."""
import json

import pytest

import client
import kubelet
from conftest import Installation, running, victim
from test_agent import chat, new_conversation



@pytest.fixture(scope="module")
def readonly():
    yield from running(Installation("product-ro", access="read-only"))


def test_read_only_agent_reads_but_cannot_delete(readonly):
    inst = readonly
    with victim(inst.ns + "-victim") as victim_ns:
        token = inst.token()
        conv = new_conversation(inst, token)
        get = chat(inst, token, "TOOL k8s_get " + json.dumps({"resource_type": "deployments",
                                                               "namespace": victim_ns, "output": "name"}), conv)
        assert "victim" in json.dumps([d for e, d in get if e == "tool.result"]), get
        events = chat(inst, token, "TOOL k8s_delete " + json.dumps({"resource_type": "deployment", "name": "victim",
                                                                     "namespace": victim_ns}), conv)
        waiting = [d for e, d in events if e == "tool.awaiting_approval"]
        assert waiting, [e for e, _ in events]
        events = client.sse_events(inst.base, f"/api/v1/agent/approvals/{waiting[0]['call_id']}",
                                   {"approve": True, "conversation_id": conv}, token)
        said = json.dumps([d for e, d in events if e in ("tool.result", "tool.error")])
        assert "forbidden" in said.lower(), said
        assert kubelet.kubectl("get", "deployment", "victim", "-n", victim_ns, check=False).returncode == 0
