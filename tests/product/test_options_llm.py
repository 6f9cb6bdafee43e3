"""The LLM settings: each reasoningEffort value, each provider form with llm.host. See options.py for what every case checks."""
import pytest

import kubelet
from conftest import Installation
from options import basics, chat_engine, run_case


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


