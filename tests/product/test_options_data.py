"""External PostgreSQL and Redis: TLS, and credentials that need encoding. See options.py for what every case checks."""
import pytest

import services
from conftest import Installation
from options import UGLY_PASSWORD, UGLY_USER, basics, chat_engine, run_case


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


