"""The machine a run is on, percentiles, and memory read from /proc."""

from __future__ import annotations

import os
import platform
import socket
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def proc_status_mb(pid: int | None = None, field: str = "VmHWM") -> float | None:
    """A memory line of /proc/PID/status in MB (VmHWM: peak RSS; VmRSS: now). None off Linux."""
    path = Path(f"/proc/{pid or 'self'}/status")
    try:
        for line in path.read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _sqlcipher() -> dict[str, str]:
    try:
        import sqlcipher3

        conn = sqlcipher3.connect(":memory:")
        try:
            conn.execute("PRAGMA key = \"x'" + "00" * 32 + "'\"")
            cipher = conn.execute("PRAGMA cipher_version").fetchone()
            provider = conn.execute("PRAGMA cipher_provider").fetchone()
            provider_version = conn.execute("PRAGMA cipher_provider_version").fetchone()
            sqlite = conn.execute("SELECT sqlite_version()").fetchone()
        finally:
            conn.close()
    except Exception as exc:  # reported, not fatal: the desktop figures will say more
        return {"error": f"{exc.__class__.__name__}: {exc}"}
    return {
        "sqlcipher": str(cipher[0]) if cipher else "unknown",
        "crypto_provider": " ".join(
            str(v[0]) for v in (provider, provider_version) if v and v[0] is not None
        ),
        "sqlite_inside_sqlcipher": str(sqlite[0]) if sqlite else "unknown",
    }


def machine() -> dict[str, Any]:
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": cores,
        "usable_cores": usable,
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        **_sqlcipher(),
        "load_average_at_start": [round(x, 2) for x in load],
    }
