"""Settings come from the environment and refuse to run production on bad values."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from seniorene.env import env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-secret-for-the-test-only-0123456789",
    "ALLOWED_HOSTS": "omsorg.example.no",
    "SITE_URL": "https://omsorg.example.no",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/seniorene",
}


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `code` after django.setup() in a fresh interpreter with exactly `env` set."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    script = f"import django; django.setup()\n{code}"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "seniorene.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "ja")
    with pytest.raises(ImproperlyConfigured, match="FLAG='ja' is not a boolean"):
        env_bool("FLAG", False)
    monkeypatch.setenv("FLAG", "Off")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_it_reads_integers_with_a_minimum(monkeypatch):
    monkeypatch.setenv("N", "tolv")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 0"):
        env_int("N", 1, minimum=0)
    monkeypatch.setenv("N", " 12 ")
    assert env_int("N", 1) == 12


def test_it_reads_lists_choices_and_secret_files(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSTS", " a.no, ,b.no ")
    assert env_list("HOSTS") == ["a.no", "b.no"]
    monkeypatch.setenv("BACKEND", "carrier-pigeon")
    with pytest.raises(ImproperlyConfigured, match="must be one of: outbox, twilio"):
        env_choice("BACKEND", "outbox", {"outbox", "twilio"})
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_str("TOKEN") == "from-a-file"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("TOKEN")


def test_the_embedded_default_needs_no_server():
    # What `make run` starts: DEBUG=true and nothing else.
    result = run_django(
        "from django.conf import settings as s\n"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.SMS_BACKEND,"
        " s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE)",
        {"TESTING": "false", "DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "outbox",
        "console",
        "True",
        "Europe/Oslo",
        "nb",
    ]


def test_debug_is_off_when_nothing_sets_it():
    # A deployment outside Docker that forgets DEBUG: no tracebacks, and the production
    # safeguards (secure cookies, HTTPS, HSTS) are on.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DEBUG"}
    result = run_django(
        "from django.conf import settings as s\n"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN, s.ALLOWED_HOSTS)",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "False",
        "['omsorg.example.no']",
    ]


def test_a_server_started_with_nothing_set_refuses_with_a_clear_message():
    result = run_django("", {})
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG is off: set SECRET_KEY" in result.stderr
    assert "make run" in result.stderr
    assert "Traceback" in result.stderr  # it refuses to start; nothing is served


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "true"),  # nothing set: the developer targets turn DEBUG on
        ({"DEBUG": "false"}, "false"),  # an explicit choice is kept
    ],
)
def test_the_makefile_turns_debug_on_for_the_developer_targets(tmp_path, environment, expected):
    """`make run` and what it runs first (messages, migrate, demo), and `make lint`, run
    Django on this machine with DEBUG on; `make test-sqlite` (the suite's own defaults) and
    `make bench` (production settings) do not. The recipes are replaced by a probe that
    prints what each target would see, so nothing is built or started."""
    probe = tmp_path / "probe.mk"
    probe.write_text(
        "$(VENV)/.synced: ; @true\n"
        "messages migrate demo run lint test-sqlite bench:\n"
        '\t@echo "$@ DEBUG=$${DEBUG-unset}"\n'
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(  # noqa: S603 - make with our own Makefile
        [
            shutil.which("make") or "make",
            "-s",
            "-f",
            "Makefile",
            "-f",
            str(probe),
            "run",
            "lint",
            "test-sqlite",
            "bench",
        ],
        cwd=ROOT,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = dict(line.split(" DEBUG=") for line in result.stdout.splitlines())
    assert seen == {
        "messages": expected,
        "migrate": expected,
        "demo": expected,
        "run": expected,
        "lint": expected,
        "test-sqlite": environment.get("DEBUG", "unset"),
        "bench": environment.get("DEBUG", "unset"),
    }


def test_it_uses_postgres_and_redis_when_given():
    result = run_django(
        "from django.conf import settings as s\n"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
        " s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])",
        {
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "DEBUG": "true",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/3",
        "RedisCache",
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "set SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "set ALLOWED_HOSTS"),
        ({"DEBUG": "maybe"}, "not a boolean"),
        ({"SITE_URL": "http://localhost:8000"}, "set SITE_URL"),
        ({"SMS_BACKEND": "twilio"}, "needs TWILIO_ACCOUNT_SID"),
    ],
)
def test_production_refuses_to_start_on_unsafe_settings(override, message):
    env = {**PRODUCTION_ENV, **override}
    env = {k: v for k, v in env.items() if v != "" or k == "ALLOWED_HOSTS"}
    result = run_django("", env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_reports_nothing_in_production():
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_sends_csp_and_hsts_and_redirects_to_https(tmp_path):
    result = run_django(
        "import json\n"
        "from django.core.management import call_command\n"
        "from django.test import Client\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "client = Client(HTTP_HOST='omsorg.example.no')\n"
        "pages = {}\n"
        "for url in ('/', '/konto/login/'):\n"
        "    r = client.get(url, secure=True)\n"
        "    pages[url] = [r.status_code, dict(r.headers)]\n"
        "worker = client.get('/sw.js', secure=True)\n"
        "pages['sw'] = [worker.status_code, worker.content.decode()]\n"
        "plain = client.get('/')\n"
        "pages['http'] = [plain.status_code, dict(plain.headers)]\n"
        "print(json.dumps(pages))\n",
        # Static files collected as in the image; an SQLite file keeps this independent of
        # the database server (the pages are anonymous).
        {**PRODUCTION_ENV, "DATABASE_URL": "", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout)
    for url in ("/", "/konto/login/"):
        status, headers = pages[url]
        assert status == 200
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        hsts = headers["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts
        assert "includeSubDomains" in hsts
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
    # The service worker (the senior's pages offline) names the hashed static files.
    status, source = pages["sw"]
    assert status == 200
    assert re.search(r"/static/js/offline-queue\.[0-9a-f]{12}\.js", source)
    assert '"staticPrefix": "/static/"' in source
    status, headers = pages["http"]
    assert status == 301
    assert headers["Location"] == "https://omsorg.example.no/"


def _compose_ports(environment: dict[str, str]) -> dict[str, list[str]]:
    """The published ports of each service in docker-compose.yml, `${X:-default}` filled in
    from `environment` as compose does (PyYAML is not installed: a plain reading of the
    two-space-indented services and their `ports:` lists)."""
    ports: dict[str, list[str]] = {}
    service, in_ports = None, False
    in_services = False
    for line in (ROOT / "docker-compose.yml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_services = line.startswith("services:")
            continue
        if in_services and re.match(r"^  [a-z-]+:\s*$", line):
            service, in_ports = line.strip()[:-1], False
        elif service and re.match(r"^    ports:\s*$", line):
            in_ports = True
        elif in_ports and line.startswith("      - "):
            value = line.strip()[2:].strip().strip('"')
            value = re.sub(
                r"\$\{(\w+):-([^}]*)\}",
                lambda m: environment.get(m.group(1)) or m.group(2),
                value,
            )
            ports.setdefault(service, []).append(value)
        elif in_ports and not line.startswith("      "):
            in_ports = False
    return ports


def test_compose_publishes_the_web_port_on_this_host_only_by_default():
    # The app trusts X-Forwarded-Proto from whoever reaches it: only the local proxy may.
    assert _compose_ports({}) == {"web": ["127.0.0.1:8000:8000"]}
    assert _compose_ports({"WEB_PORT": "8080"}) == {"web": ["127.0.0.1:8080:8000"]}
    assert _compose_ports({"WEB_BIND": "0.0.0.0"}) == {"web": ["0.0.0.0:8000:8000"]}  # noqa: S104
