"""`admin create` knows who won: two at once against the real engine, exactly one exits 0 and
the engine has exactly one admin; `install --admin-email` when another account is the admin
exits non-zero."""
import os
import subprocess

import pytest

import kubelet
from conftest import Installation, running, skyflo, skyflo_bin



@pytest.fixture(scope="module")
def fresh():
    yield from running(Installation("product-race"), ui=False, admin=False)


def test_two_admin_creates_at_once_exactly_one_wins_then_install_admin_email_fails(fresh):
    env = dict(os.environ, KUBECONFIG=kubelet.kubeconfig(), NO_COLOR="1")
    procs = [subprocess.Popen([skyflo_bin(), "admin", "create", "-n", fresh.ns, "--email", f"admin{n}@example.com",
                               "--password-stdin"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    for p in procs:
        p.stdin.write("Race-pass-123\n")
        p.stdin.close()
    outs = [(p.wait(120), p.stdout.read(), p.stderr.read()) for p in procs]
    winners = [o for o in outs if o[0] == 0]
    assert len(winners) == 1, outs
    loser = next(o for o in outs if o[0] != 0)
    print("the loser said:", loser[2])
    assert "admin" in loser[2], loser
    admins = fresh.stack.psql("select email from users where role = 'admin'").splitlines()
    assert len(admins) == 1 and admins[0] in winners[0][1], (admins, outs)

    # Now that another account is the admin, `install --admin-email` says so and fails.
    out = skyflo("install", "-n", fresh.ns, "-f", str(fresh.spec), "--skip-checks", "--admin-email",
                 "late@example.com", env=fresh.env, check=False)
    assert out.returncode != 0, out.stdout + out.stderr
    assert "registered first and is the admin" in out.stderr, out.stderr
    assert fresh.stack.psql("select count(*) from users where email = 'late@example.com'") == "0"
