"""A real browser (Debian's Chromium, driven by Playwright from PyPI) uses the real UI through
`skyflo dashboard`: kwok maps the dashboard's port-forward to the UI pod onto the local proxy."""
import json
import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import sync_playwright, expect

import client
import kubelet
from conftest import ARTIFACTS, skyflo_bin, victim
from procs import free_port, wait_http


CHROMIUM = os.environ.get("SKYFLO_CHROMIUM", "/usr/bin/chromium")


class Dashboard:
    """`skyflo dashboard --no-browser` on a free local port, as a user runs it."""

    def __init__(self, ns):
        self.port = free_port()
        env = dict(os.environ, KUBECONFIG=kubelet.kubeconfig(), NO_COLOR="1")
        self.proc = subprocess.Popen([skyflo_bin(), "dashboard", "-n", ns, "--no-browser", "--port", str(self.port)],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_http(f"{self.url}/health", "skyflo dashboard", self.proc, secs=60, ok=lambda s: s == 200)
        except RuntimeError as e:
            raise RuntimeError(f"{e}: {self.proc.stderr.read() if self.proc.poll() is not None else ''}") from e

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Browser:
    """One headless Chromium page that keeps every console error and a screenshot per step."""

    def __init__(self, pw, name):
        self.dir = ARTIFACTS / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.console = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.failed = []  # (method, url, status) of every answer >= 400
        self.page.on("response", lambda r: self.failed.append((r.request.method, r.url, r.status))
                     if r.status >= 400 else None)
        self.steps = 0

    def shot(self, what):
        self.steps += 1
        self.page.screenshot(path=str(self.dir / f"{self.steps:02d}-{what}.png"))

    def csp_violations(self):
        return [c for c in self.console if "Content Security Policy" in c or "Refused to" in c]

    def close(self, passed):
        self.browser.close()
        if passed:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def browser(request):
    with sync_playwright() as pw:
        b = Browser(pw, request.node.name)
        yield b
        rep = getattr(request.node, "rep_call", None)
        passed = rep is not None and rep.passed
        if not passed:
            b.shot("at-failure")
            (b.dir / "browser.txt").write_text(
                "answers >= 400:\n" + "\n".join(map(str, b.failed)) + "\nconsole errors:\n" + "\n".join(b.console))
            print(f"browser artifacts: {b.dir}\nanswers >= 400: {b.failed}\nconsole errors: {b.console}")
        b.close(passed)


@pytest.fixture(scope="module")
def dashboard(inst):
    d = Dashboard(inst.ns)
    yield d
    d.stop()


def login(b, url, email, password):
    b.page.goto(url)
    b.page.wait_for_url(re.compile(r"/login"), timeout=30000)
    b.shot("login-page")
    b.page.fill('input[type="email"]', email)
    b.page.fill('input[type="password"]', password)
    b.page.click('button[type="submit"]')
    b.page.wait_for_url(lambda u: "/login" not in u, timeout=30000)
    b.shot("logged-in")
    b.failed.clear()  # what the login page asked before there was a login is not judged


def send(b, text):
    box = b.page.locator('textarea[aria-label="Message input"]').first
    box.wait_for(timeout=30000)
    box.fill(text)
    box.press("Enter")


def test_admin_logs_in_chats_approves_and_finds_the_history(inst, dashboard, browser):
    b = browser
    login(b, dashboard.url, inst.admin_email, inst.admin_password)
    # Another client floods the gate without a token (150 in a minute, over the engine's 100 per
    # client): it gets 401 then a clear 429, and the logged-in user is not starved.
    said = client.flood(inst.stack.proxy_port, "/api/v1/agent/chat", 150, "127.0.0.2")
    codes = [c for c, _ in said]
    assert set(codes) <= {401, 429} and 429 in codes, f"the flood's answers: {sorted(set(codes))} {said[-1]}"
    assert "too many" in said[-1][1].lower(), said[-1]
    send(b, "hello from the browser")
    expect(b.page.get_by_text(re.compile(r"SCRIPTED ANSWER \d+")).first).to_be_visible(timeout=60000)
    b.shot("streamed-answer")

    with victim(inst.ns + "-bvictim") as victim_ns:
        send(b, "TOOL k8s_delete " + json.dumps({"resource_type": "deployment", "name": "victim",
                                                  "namespace": victim_ns}))
        approve = b.page.get_by_role("button", name=re.compile(r"^Approve$")).first
        approve.wait_for(timeout=60000)
        b.shot("awaiting-approval")
        assert kubelet.kubectl("get", "deployment", "victim", "-n", victim_ns, check=False).returncode == 0
        approve.click()
        expect(b.page.get_by_text(re.compile(r"TOOL RESULT")).first).to_be_visible(timeout=60000)
        b.shot("approved")
        gone = kubelet.kubectl("get", "deployment", "victim", "-n", victim_ns, check=False)
        assert gone.returncode != 0 and "NotFound" in gone.stderr

    b.page.goto(dashboard.url + "/")
    b.page.reload()
    entry = b.page.locator('a[href^="/chat/"]').first
    entry.wait_for(timeout=30000)
    b.shot("history-after-reload")
    entry.click()
    expect(b.page.get_by_text("hello from the browser").first).to_be_visible(timeout=30000)
    b.shot("conversation-from-history")

    for path, marker in [("/settings", re.compile(r"Settings|Profile", re.I)),
                         ("/settings", re.compile(r"Team", re.I)),
                         ("/integrations", re.compile(r"Integrations", re.I))]:
        resp = b.page.goto(dashboard.url + path)
        assert resp.status < 400, (path, resp.status)
        expect(b.page.get_by_text(marker).first).to_be_visible(timeout=30000)
        b.shot(path.strip("/"))
        body = b.page.inner_text("body")
        assert "Application error" not in body and "Something went wrong" not in body, (path, body[:500])
    assert not b.failed, f"answers >= 400 after the login: {b.failed}; console: {b.console}"
    assert not b.csp_violations(), f"the UI broke upstream's Content-Security-Policy: {b.csp_violations()}"


def test_anonymous_browser_cannot_register_through_welcome_with_signup_closed(inst, dashboard, browser):
    b = browser
    email = "intruder@example.com"
    b.page.goto(dashboard.url + "/welcome")
    b.page.wait_for_selector('input[name="email"]', timeout=30000)
    b.shot("welcome")
    b.page.fill('input[name="name"]', "Intruder")
    b.page.fill('input[name="email"]', email)
    b.page.fill('input[name="password"]', "Intruder-pass-123")
    b.page.click('button[type="submit"]')
    b.page.wait_for_timeout(3000)
    b.shot("after-submit")
    assert inst.stack.psql(f"select count(*) from users where email = '{email}'") == "0", \
        "an anonymous visitor registered through the UI's registration action with sign-up closed"


def test_an_expired_login_cookie_gets_a_readable_answer_in_the_chat(inst, dashboard, browser):
    """The reload window: the access cookie lives 15 minutes from login, the UI renews it 14
    minutes after the last page load, so after a reload agent calls can go out without a token.
    The cookie's end is played by removing it (the refresh cookie stays): the chat shows the
    proxy's answer, readable, not nginx's HTML."""
    b = browser
    login(b, dashboard.url, inst.admin_email, inst.admin_password)
    send(b, "a first question")
    expect(b.page.get_by_text(re.compile(r"SCRIPTED ANSWER \d+")).first).to_be_visible(timeout=60000)
    cookies = [c for c in b.context.cookies() if c["name"] != "auth_token"]
    assert len(cookies) < len(b.context.cookies()), "the login set auth_token"
    b.context.clear_cookies()
    b.context.add_cookies(cookies)
    send(b, "a question after the cookie expired")
    said = b.page.get_by_text(re.compile(r"HTTP 401")).first
    said.wait_for(timeout=30000)
    b.shot("expired-login")
    text = said.inner_text()
    print("the chat said:", text)
    assert "<html>" not in text and "login" in text.lower(), text
