"""The PostgreSQL server the tests use: ``TIMELINE_TEST_POSTGRES_URL``.

``tools/pg-test-server start DIR`` starts one and prints the variables to
export (``.ci/run`` does so).  Without the variable the PostgreSQL tests
skip on a developer's machine; in CI (``CI`` set) they fail instead, so a
server that did not start cannot pass for a green run.
``TIMELINE_TEST_POSTGRES_DIR`` (the server's folder) lets the restart tests
stop and start it.
"""

from __future__ import annotations

import os
import subprocess
import urllib.parse
import uuid
from pathlib import Path

import pytest

URL_VARIABLE = "TIMELINE_TEST_POSTGRES_URL"
DIR_VARIABLE = "TIMELINE_TEST_POSTGRES_DIR"
SERVER_SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "pg-test-server"


def server_url() -> str:
    """The test server's URL; skip (fail in CI) when none is given."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return url
    message = (
        f'no PostgreSQL server: set {URL_VARIABLE} (eval "$(tools/pg-test-server '
        'start /tmp/pg)")'
    )
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run the PostgreSQL tests")
    pytest.skip(message)


def fresh_url(prefix: str = "test") -> str:
    """The URL of a new log (a fresh name) on the test server."""
    base = server_url()
    parts = urllib.parse.urlsplit(base)
    query = urllib.parse.parse_qsl(parts.query)
    query.append(("log", f"{prefix}-{uuid.uuid4().hex[:12]}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def restart_server(mode: str = "immediate") -> None:
    """Stop the test server (``pg_ctl stop -m MODE``) and start it again;
    skip (fail in CI) when the tests did not start it."""
    directory = os.environ.get(DIR_VARIABLE)
    if not directory:
        message = f"{DIR_VARIABLE} not set: the tests cannot restart the server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(
        [str(SERVER_SCRIPT), "restart", directory, mode],
        check=True,
        capture_output=True,
        timeout=120,
    )
