"""What the benchmarks run against: the sync server as its own process (``writecarenotes-server
serve``) on loopback, and throw-away PostgreSQL databases."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from benchmarks.system import free_port, proc_status_mb

JWT_SECRET = "benchmark-only-secret-" + "x" * 32
MASTER_KEY = "b3" * 32  # the servers' field-encryption master key (benchmarks only)
ADMIN_URL = os.environ.get("WCN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_SERVE = "import sys\nfrom syncserver.cli.main import main\nsys.exit(main(sys.argv[1:]))"


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def peak_rss_mb(self) -> float | None:
        return proc_status_mb(self.process.pid, "VmHWM")

    def rss_mb(self) -> float | None:
        return proc_status_mb(self.process.pid, "VmRSS")


@contextlib.contextmanager
def serve(database_url: str, log_path: Path) -> Iterator[ServerProcess]:
    """The real server (uvicorn, one process) on a free loopback port until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "WCN_JWT_SECRET": JWT_SECRET,
        "WCN_DATABASE_URL": database_url,
        "WCN_REDIS_URL": "",
        "WCN_MASTER_KEY": MASTER_KEY,
    }
    command = [sys.executable, "-c", _SERVE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                tail = log_path.read_text(encoding="utf-8", errors="replace")[-800:]
                raise RuntimeError(f"the server stopped at start: {tail}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.05)
        yield ServerProcess(url, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _libpq(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return ("postgresql" + sep + rest) if scheme.startswith("postgres") else url


def postgres_problem(url: str = ADMIN_URL) -> str | None:
    """None when PostgreSQL answers; otherwise why not, in one line."""
    try:
        with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        lines = str(exc).strip().splitlines()
        return (lines[0] if lines else exc.__class__.__name__) + f" ({_safe(url)})"
    return None


def postgres_version(url: str = ADMIN_URL) -> str | None:
    try:
        with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextlib.contextmanager
def scratch_postgres(admin: str = ADMIN_URL) -> Iterator[str]:
    """A fresh database for one benchmark, dropped afterwards; yields its URL."""
    name = "wcn_bench_" + secrets.token_hex(5)
    with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def libpq_url(url: str) -> str:
    return _libpq(url)
