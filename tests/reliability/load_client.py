"""Simulated ward PCs for the load test, in a child process: each enrols with its one-time
code (a real encrypted store), waits for the go signal, then records notes and syncs in a loop
until its time is up, timing every HTTP request. Writes what it did as JSON.

``python -m tests.reliability.load_client PLAN.json``
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from desktop.services.context import AppContext
from desktop.services.enrolment import enrol
from desktop.sync.errors import Offline, ServerRefused
from desktop.sync.local_changes import Author
from tests.reliability.world import now_iso


class TimingClient(httpx.Client):
    """An httpx client that records how long each request took and what status it got."""

    def __init__(self, sink: list[tuple[str, int, float]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sink = sink

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        response = super().send(request, **kwargs)
        self.sink.append(
            (request.url.path, response.status_code, (time.perf_counter() - started) * 1000)
        )
        return response


class Pc:
    def __init__(self, spec: dict[str, Any], context: AppContext) -> None:
        self.spec = spec
        self.context = context
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.syncs = 0

    def work(self, rng: random.Random) -> None:
        carer = Author(self.spec["users"]["care_assistant"], "care_assistant")
        for _ in range(rng.randint(1, 3)):
            fields = {
                "resident_id": rng.choice(self.spec["residents"]),
                "category": "general",
                "text": "Load test note",
                "occurred_at": now_iso(),
            }
            with self.context.store.write() as conn:
                self.notes.append(
                    self.context.recorder.create(conn, "care_note", fields, carer).record_id
                )
        if rng.random() < 0.1:
            senior = Author(self.spec["users"]["senior_carer"], "senior_carer")
            with self.context.store.write() as conn:
                self.context.recorder.update(
                    conn,
                    rng.choice(self.spec["residents"]),
                    {"room": str(rng.randrange(20))},
                    senior,
                )
        self.sync()

    def sync(self) -> bool:
        client = self.context.client()
        try:
            self.context.sync_engine(client).sync()
            self.syncs += 1
            return True
        except (Offline, ServerRefused) as exc:
            self.errors.append(f"{exc.__class__.__name__}: {exc.message}")
            return False
        finally:
            client.close()


def main(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text("utf-8"))
    sink: list[tuple[str, int, float]] = []
    https = [TimingClient(sink, timeout=60.0) for _ in range(plan["threads"])]
    pcs: list[Pc] = []
    for index, spec in enumerate(plan["pcs"]):
        context = enrol(
            plan["server_url"],
            spec["code"],
            Path(spec["data_dir"]),
            key_dir=plan["key_dir"],
            http=https[index % len(https)],
            name=spec["name"],
        )
        pcs.append(Pc(spec, context))
    Path(plan["ready_file"]).write_text("ready", "utf-8")
    go = Path(plan["go_file"])
    deadline = time.monotonic() + 600
    while not go.exists():  # the parent's barrier: every client enrolled first
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.05)
    sink.clear()  # enrolment is not the load being measured
    started = time.monotonic()
    stop_at = started + float(plan["seconds"])

    def run(mine: list[Pc], seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            for pc in mine:
                if time.monotonic() >= stop_at:
                    break
                pc.work(rng)
        for pc in mine:  # send whatever is left
            for _ in range(20):
                if pc.sync():
                    break
                time.sleep(0.2)

    threads = [
        threading.Thread(target=run, args=(pcs[i :: len(https)], plan["seed"] + i))
        for i in range(len(https))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    statuses = Counter(str(status) for _path, status, _ms in sink)
    by_path: dict[str, list[float]] = {}
    for path, _status, ms in sink:
        by_path.setdefault(path, []).append(round(ms, 2))
    out = {
        "elapsed_s": elapsed,
        "statuses": dict(statuses),
        "latencies_ms": by_path,
        "pcs": [
            {
                "name": pc.spec["name"],
                "data_dir": pc.spec["data_dir"],
                "tenant_id": pc.spec["tenant_id"],
                "home_id": pc.spec["home_id"],
                "notes": pc.notes,
                "errors": pc.errors,
                "syncs": pc.syncs,
            }
            for pc in pcs
        ],
    }
    for pc in pcs:
        pc.context.close()
    for http in https:
        http.close()
    Path(plan["out_file"]).write_text(json.dumps(out), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
