"""The desktop installer: PyInstaller builds the one-folder bundle for this platform from
``installers/desktop/writecarenotes.spec``, and the built program (not the source) shows its
version, enrols a PC unattended against a live server, reports its status and passes its
offscreen self-check. Slow (a build takes minutes): run with ``--run-slow``; CI does."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop import __version__
from shared.demo_data import DemoProvider
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, open_migrated, seed

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installers" / "desktop" / "writecarenotes.spec"
BUILD_BUDGET_S = 360  # a ceiling against runaway builds: a build here takes 50 to 100 s
SIZE_BUDGET_MB = 300


@dataclass(frozen=True)
class Bundle:
    folder: Path
    program: Path
    work: Path
    build_seconds: float
    megabytes: float


def _size_mb(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1_000_000


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail(
            "PyInstaller is not installed: pip install -e '.[installer]' "
            "(`make test PYTEST_ARGS=--run-slow` and `make installer` do it).",
            pytrace=False,
        )
    out = tmp_path_factory.mktemp("installer")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(SPEC),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=BUILD_BUDGET_S * 2, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-4000:]
    folder = out / "dist" / "WriteCareNotes"
    built = Bundle(folder, folder / "writecarenotes", out / "work", seconds, _size_mb(folder))
    sys.stderr.write(
        f"\ninstaller: built in {built.build_seconds:.0f} s, {built.megabytes:.0f} MB\n"
    )
    return built


def _run(bundle: Bundle, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = subprocess.run(
        [str(bundle.program), *argv],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout, result.stderr


def test_the_build_stays_within_its_budgets(bundle: Bundle) -> None:
    assert bundle.build_seconds < BUILD_BUDGET_S
    assert bundle.megabytes < SIZE_BUDGET_MB
    assert os.access(bundle.program, os.X_OK)


def test_the_bundle_carries_the_native_parts_and_every_keyring_backend(bundle: Bundle) -> None:
    internal = bundle.folder / "_internal"
    assert list((internal / "sqlcipher3").glob("_sqlite3*.so"))  # SQLCipher, linked in
    assert list((internal / "_argon2_cffi_bindings").glob("_ffi*.so"))
    assert list(internal.glob("_cffi_backend*.so"))
    plugins = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    assert (plugins / "libqoffscreen.so").exists() and (plugins / "libqxcb.so").exists()
    modules = (bundle.work / "writecarenotes" / "PYZ-00.toc").read_text()
    for module in (
        "keyring.backends.Windows", "keyring.backends.macOS", "keyring.backends.SecretService",
        "desktop.ui.main_window", "desktop.cli.commands", "argon2", "httpx",
    ):  # fmt: skip
        assert f"'{module}'" in modules, module
    for absent in ("syncserver", "fastapi", "desktop.demo", "PySide6.QtWebEngineCore"):
        assert f"'{absent}'" not in modules, absent


def test_the_program_shows_its_version(bundle: Bundle) -> None:
    assert _run(bundle, "--version") == (0, f"WriteCareNotes {__version__}\n", "")


def test_a_new_pc_passes_the_self_check_ready_to_enrol(bundle: Bundle, tmp_path: Path) -> None:
    code, out, err = _run(
        bundle,
        "--self-check",
        "--data-dir",
        str(tmp_path / "pc"),
        env={"WCN_KEY_DIR": str(tmp_path / "keys")},
    )
    assert (code, err) == (0, ""), err
    assert "self-check passed: not enrolled yet" in out


def test_unattended_enrolment_then_status_and_self_check(
    bundle: Bundle, tmp_path: Path, demo_provider: DemoProvider
) -> None:
    db = open_migrated(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        seed(db, demo_provider)
        home = demo_provider.homes[0]
        env = {"WCN_KEY_DIR": str(tmp_path / "keys"), "WCN_DATA_DIR": str(tmp_path / "pc")}
        with serving(make_app(db)) as url:
            code = issue_code(db, demo_provider.tenant_id, home.record_id)
            rc, out, err = _run(
                bundle, "enrol", "--server", url, "--code", code, "--name", "Ward 1", env=env
            )
            assert rc == 0, err
            assert out.startswith(f"Enrolled this PC to {home.fields['name']}")
            rc, out, err = _run(bundle, "status", env=env)
            assert rc == 0, err
            assert f"App version:     {__version__}" in out
            assert "Changes waiting: 0" in out
        rc, out, err = _run(bundle, "--self-check", env=env)  # the server has gone: offline
        assert rc == 0, err
        assert "self-check passed: the store opened" in out
    finally:
        db.dispose()
