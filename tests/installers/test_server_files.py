"""The server's installation files say what the admin guide says: the example settings load,
the systemd unit and the image run the server unprivileged, the compose file brings up the
server with PostgreSQL and Redis, and the nginx example speaks TLS 1.3 only (checked for
real against a running server where nginx is installed)."""

from __future__ import annotations

import configparser
import datetime as dt
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.protocol import MAX_BODY_BYTES
from syncserver.config import load_settings
from tests.helpers.live_server import free_port, serving
from tests.helpers.server import make_app, open_migrated

SERVER = Path(__file__).resolve().parents[2] / "installers" / "server"
NGINX = SERVER / "nginx" / "writecarenotes.conf"


def test_the_example_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WCN_DATABASE_URL", "WCN_HOST", "WCN_PORT", "WCN_REDIS_URL", "WCN_LOG_JSON"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(str(SERVER / "server.toml.example"))
    assert settings.database_url.startswith("postgresql://")
    assert (settings.host, settings.port) == ("127.0.0.1", 8765)
    assert settings.redis_url and settings.log_json
    assert settings.backup_key_file == "/etc/writecarenotes/backup.key"


def test_the_systemd_unit_runs_serve_unprivileged_and_confined() -> None:
    unit = configparser.ConfigParser(interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(SERVER / "writecarenotes-server.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith(
        "writecarenotes-server serve --config /etc/writecarenotes/server.toml"
    )
    assert service["User"] == "writecarenotes" and service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict" and service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_image_and_compose_file() -> None:
    dockerfile = (SERVER / "Dockerfile").read_text()
    for copied in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.MULTILINE):
        assert (SERVER.parents[1] / copied).exists(), copied
    assert re.search(r"^USER writecarenotes$", dockerfile, re.MULTILINE)
    assert "/readyz" in dockerfile and 'ENTRYPOINT ["writecarenotes-server"]' in dockerfile
    compose = (SERVER / "compose.yaml").read_text()
    for service in ("db", "redis", "migrate", "server", "proxy"):
        assert re.search(rf"^  {service}:$", compose, re.MULTILINE), service
    assert "dockerfile: installers/server/Dockerfile" in compose
    assert "WCN_REDIS_URL: redis://redis:6379/0" in compose and "replicas: 2" in compose
    for mounted in re.findall(r"- \./(nginx/\S+?):", compose):
        assert (SERVER / mounted).exists(), mounted


def test_the_proxy_example_allows_tls_1_3_only() -> None:
    conf = NGINX.read_text()
    assert re.findall(r"^\s*ssl_protocols\s+([^;]+);", conf, re.MULTILINE) == ["TLSv1.3"]
    live = conf[conf.index("location = /v1/sync/live") :]
    assert "proxy_buffering off;" in live[: live.index("}")]
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size is not None and int(size.group(1)) * 1024 * 1024 >= MAX_BODY_BYTES
    metrics = conf[conf.index("location = /metrics") :]
    assert "deny all;" in metrics[: metrics.index("}")]


def _self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wcn.example.org")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def nginx_in_front(tmp_path: Path) -> Iterator[int]:
    """The example nginx configuration, on loopback ports, in front of a live server; the
    port it serves TLS on."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light) to run the example")
    _self_signed(tmp_path)
    tls_port, plain_port = free_port(), free_port()
    server_db = open_migrated(f"sqlite:///{tmp_path / 'server.db'}")
    with serving(make_app(server_db)) as url:
        conf = (
            NGINX.read_text()
            .replace("/etc/ssl/writecarenotes", str(tmp_path))
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;")
            .replace("listen 80;", f"listen 127.0.0.1:{plain_port};")
            .replace("listen [::]:443 ssl;", "")
            .replace("listen [::]:80;", "")
        )
        upstream = (SERVER / "nginx" / "upstream.conf").read_text()
        upstream = upstream.replace("127.0.0.1:8765", url.removeprefix("http://"))
        (tmp_path / "site.conf").write_text(upstream + conf)
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
            f"events {{}}\nhttp {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
        )
        process = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 10
            while not _listening(tls_port):
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
            yield tls_port
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stderr:
                process.stderr.close()
            server_db.dispose()


def _handshake(port: int, version: ssl.TLSVersion) -> str:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = context.maximum_version = version
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="wcn.example.org") as tls,
    ):
        return str(tls.version())


def test_the_proxy_example_really_refuses_tls_1_2(nginx_in_front: int) -> None:
    assert _handshake(nginx_in_front, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    with pytest.raises(ssl.SSLError):
        _handshake(nginx_in_front, ssl.TLSVersion.TLSv1_2)
    base = f"https://127.0.0.1:{nginx_in_front}"
    with httpx.Client(verify=False, timeout=10) as client:
        ready = client.get(base + "/readyz", headers={"x-request-id": "proxy-test-01"})
        assert ready.status_code == 200
        assert ready.headers["x-request-id"] == "proxy-test-01"
        assert len(client.get(base + "/healthz").headers["x-request-id"]) == 32
        assert client.get(base + "/metrics").status_code == 403
