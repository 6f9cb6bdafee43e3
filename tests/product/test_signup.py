"""`spec.ui.signup: open`: the UI's own registration form works for an anonymous visitor (and
the first account is the admin, as upstream does)."""
import re

import pytest

from conftest import Installation, running
from test_browser import Dashboard, browser  # noqa: F401 (fixture)



@pytest.fixture(scope="module")
def open_signup():
    yield from running(Installation("product-signup", signup="open"), admin=False)


def test_anonymous_browser_registers_through_welcome_with_signup_open(open_signup, browser):  # noqa: F811
    inst, b = open_signup, browser
    d = Dashboard(inst.ns)
    try:
        b.page.goto(d.url + "/welcome")
        b.page.wait_for_selector('input[name="email"]', timeout=30000)
        b.shot("welcome")
        b.page.fill('input[name="name"]', "First")
        b.page.fill('input[name="email"]', "first@example.com")
        b.page.fill('input[name="password"]', "First-pass-123")
        b.page.click('button[type="submit"]')
        b.page.wait_for_url(re.compile(r"/login"), timeout=30000)
        b.shot("registered")
        assert inst.stack.psql("select email, role from users") == "first@example.com|admin"
    finally:
        d.stop()


def test_with_signup_open_only_the_uis_form_registers(open_signup):
    """A client posting to the registration route itself could name its role (the engine takes
    `role` at registration): only the UI's own server action, which sends name, email and
    password, reaches it."""
    import client
    import json
    body = json.dumps({"email": "x-intruder@example.com", "password": "Intruder-pass-1", "role": "admin"}).encode()
    for path in ["/api/v1/auth/register/register", "/api/v1/auth/register/register/"]:
        said = client.flood(open_signup.stack.proxy_port, path, 1, "127.0.0.2", body=body)
        assert said[0][0] == 403, said
    assert open_signup.stack.psql("select count(*) from users where email = 'x-intruder@example.com'") == "0"
