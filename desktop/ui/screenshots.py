"""``python -m desktop.ui.screenshots OUTDIR``: render each main screen offscreen with demo data
and save PNGs for the user guide.

It starts a throwaway sync server with the demo provider (as a separate process: the desktop
never imports the server), enrols a PC through the enrolment screen, then works the app as a
carer and a senior would. Everything it makes lives in a temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import httpx
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.ui.app import application, build_window
from desktop.ui.context import Launch
from desktop.ui.main_window import MainWindow
from desktop.ui.screens.admission_screenshots import take_admission_screens
from desktop.ui.screens.capacity_screenshots import take_capacity_screens
from desktop.ui.screens.care_screenshots import take_care_screens
from desktop.ui.screens.fluid_form import FluidForm
from desktop.ui.screens.handover_screenshots import take_handover_screens
from desktop.ui.screens.medication_screenshots import take_medication_screens
from desktop.ui.screens.mfa_screenshots import take_mfa_screens
from desktop.ui.screens.observation_screenshots import take_observation_screens
from shared.demo_data import DEMO_PASSWORD

HOME = "Oakwood House"
SIZE = (1280, 800)
EXAMPLE_SERVER = "https://care.oakwood-group.example"
SYNC_EVERY_MS = 30_000


def wait_until(what: str, condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: gave up waiting for {what}")
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def settle(window: MainWindow) -> None:
    """Let queued operations and repaints finish."""
    wait_until("the app to be idle", lambda: window.runner.pending == 0 and not window.sync.syncing)
    wait_until("a repaint", lambda: True)
    for _ in range(5):
        QApplication.processEvents()


def save(widget: QWidget, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"  {path}\n")


# --- a throwaway demo server -------------------------------------------------------------


# The server's console script, run by this Python (the desktop never imports the server).
SERVER_COMMAND = (
    sys.executable,
    "-c",
    "import sys; from syncserver.cli.main import main; sys.exit(main())",
)


def _server(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*SERVER_COMMAND, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"screenshots: server {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def demo_server(state: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {
        **os.environ,
        "WCN_DATABASE_URL": f"sqlite:///{state / 'server.db'}",
        "WCN_JWT_SECRET": "screenshots-only-" + "x" * 32,
        # personal details are encrypted on the server: a master key for this throwaway one
        "WCN_MASTER_KEY_FILE": str(state / "master.key"),
    }
    _server("keys", "generate-master", "--out", env["WCN_MASTER_KEY_FILE"], env=env)
    _server("init", "--demo", "--demo-days", "3", env=env)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = (state / "server.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [*SERVER_COMMAND, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"screenshots: the server did not start; see {state}")
            time.sleep(0.1)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def enrol_code(env: dict[str, str]) -> str:
    return _server("device", "enrol-code", "--home", HOME, env=env).splitlines()[0].strip()


# --- the screens -------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    url: str
    env: dict[str, str]
    state: Path  # a temporary folder for everything this makes
    out: Path  # where the pictures go

    @property
    def pc_dir(self) -> Path:
        return self.state / "ward-pc"


def make_review_item(demo: Demo, senior: str, resident_id: str) -> None:
    """Two PCs change the same resident's diet before either syncs: a review item."""
    office_dir = demo.state / "office-pc"
    office = DesktopServices(enrol(demo.url, enrol_code(demo.env), office_dir, name="office"))
    ward = DesktopServices.open(demo.pc_dir)
    try:
        for services in (office, ward):
            services.session.sign_in(senior, DEMO_PASSWORD)
        ward.residents.update_profile(resident_id, {"diet": "Pureed (IDDSI 4)"})
        office.residents.update_profile(resident_id, {"diet": "Soft and bite-sized (IDDSI 6)"})
        ward.sync.sync_now()
        office.sync.sync_now()
        ward.sync.sync_now()
    finally:
        office.close()
        ward.close()


def sign_in(window: MainWindow, username: str) -> None:
    window.sign_in.choose(username)
    window.sign_in.password_edit.setText(DEMO_PASSWORD)
    window.sign_in.submit_password()
    wait_until("sign-in", lambda: window.pages.currentWidget() is window.workspace)
    wait_until("the residents", lambda: window.residents.model.rowCount() > 0)


def take(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    with (
        tempfile.TemporaryDirectory(prefix="wcn-screenshots-") as temporary,
        demo_server(Path(temporary)) as (url, env),
    ):
        state = Path(temporary)
        os.environ["WCN_KEY_DIR"] = str(state / "keys")
        demo = Demo(url, env, state, out)
        window = build_window(
            Launch(
                demo.pc_dir,
                sync_interval_ms=SYNC_EVERY_MS,
                demo_hint=("Demo sign-in: the password for everyone is " + DEMO_PASSWORD),
            ),
            app,
        )
        window.resize(*SIZE)
        window.show()
        window.start()
        try:
            _screens(window, demo)
        finally:
            window.shutdown()


def _screens(window: MainWindow, demo: Demo) -> None:
    out = demo.out
    wait_until("the enrolment screen", lambda: window.pages.currentWidget() is window.enrolment)
    screen = window.enrolment
    code = enrol_code(demo.env)
    screen.server_edit.setText(EXAMPLE_SERVER)  # what IT would give; this server is local
    screen.code_edit.setText(code)
    settle(window)
    save(window, out, "enrolment")
    screen.server_edit.setText(demo.url)
    screen.submit()
    wait_until("the staff list", lambda: window.sign_in.model.rowCount() > 0, 120)

    staff = window.sign_in.model.rows
    carer = next(s for s in staff if s.role == "care_assistant")
    senior = next(s for s in staff if s.role == "senior_carer")
    window.sign_in.choose(carer.username)
    window.message_bar.clear()
    settle(window)
    save(window, out, "sign-in")

    sign_in(window, carer.username)
    residents = window.residents.model.rows
    subject = next(
        (r for r in residents if "DNACPR" in r.alerts and len(r.alerts) >= 2), residents[0]
    )
    settle(window)
    save(window, out, "residents")

    window.open_resident(subject.resident_id)
    record = window.record
    wait_until("the record", lambda: record.profile is not None and record.timeline.rowCount() > 0)
    record.start_form("mood")
    record.forms["mood"].choices.select("Low")
    record.forms["mood"].text_edit.setPlainText("Quiet at breakfast, missing her husband.")
    record.forms["mood"].save()
    wait_until("the note", lambda: "missing her husband" in (record.timeline.rows[0].summary))
    record.timeline_view.setCurrentIndex(record.filter.index(0, 0))
    record.correct("amend")
    wait_until("the note's text", lambda: record.correction.text_edit.toPlainText() != "")
    record.correction.text_edit.setPlainText(
        "Low. Quiet at breakfast, missing her husband. Cheered up when her daughter phoned."
    )
    record.correction.reason_edit.setText("Added what happened next")
    record.correction.save()
    wait_until("the amendment", lambda: bool(record.timeline.rows[0].history))
    record.start_form("general")
    record.forms["general"].text_edit.setPlainText("Declined lunch.")
    record.forms["general"].save()
    wait_until("the second note", lambda: record.timeline.rows[0].summary == "Declined lunch.")
    record.timeline_view.setCurrentIndex(record.filter.index(0, 0))
    record.correct("entered_in_error")
    record.correction.reason_edit.setText("Wrong resident")
    record.correction.save()
    wait_until("entered in error", lambda: record.timeline.rows[0].status == "entered_in_error")
    window.message_bar.clear()
    record.timeline_view.clearSelection()
    settle(window)
    save(window, out, "resident-record")

    record.start_form("food_fluid")
    fluid = record.forms["food_fluid"]
    assert isinstance(fluid, FluidForm)
    fluid.food_edit.setText("porridge and toast")
    fluid.eaten.select("Most")
    fluid.preset_buttons[3].click()
    fluid.save()
    wait_until("the fluid total", lambda: fluid.saved_label.text() != "")
    settle(window)
    fluid.preset_buttons[2].click()  # the next cup of tea, about to be saved
    settle(window)
    save(window, out, "food-and-fluid")
    fluid.cancel()

    def shoot(name: str) -> None:
        settle(window)
        save(window, out, name)

    take_observation_screens(window, shoot, wait_until)  # observations, NEWS2 and trends

    window.shutdown()
    make_review_item(demo, senior.username, subject.resident_id)
    _reviews(out, demo.pc_dir, senior.username)


def _reviews(out: Path, pc_dir: Path, senior: str) -> None:
    app = application()
    window = build_window(Launch(pc_dir, sync_interval_ms=SYNC_EVERY_MS), app)
    window.resize(*SIZE)
    window.show()
    window.start()
    try:
        wait_until("the staff list", lambda: window.sign_in.model.rowCount() > 0)
        sign_in(window, senior)
        window.show_reviews()
        reviews = window.reviews
        wait_until("the review queue", lambda: reviews.model.rowCount() > 0)
        reviews.table.setCurrentIndex(reviews.model.index(0, 0))
        reviews.outcome_edit.setPlainText(
            "Checked with the speech and language therapist: pureed (IDDSI 4) is right. "
            "Diet corrected and kitchen told."
        )
        settle(window)
        save(window, out, "review-queue")
        window.show_residents()
        window.top_bar.contrast_action.setChecked(True)
        settle(window)
        save(window, out, "high-contrast")
        window.top_bar.contrast_action.setChecked(False)

        def shoot(name: str) -> None:
            settle(window)
            save(window, out, name)

        take_care_screens(window, shoot, wait_until)  # care planning (issue 7)
        take_medication_screens(window, out, save, settle, wait_until)  # eMAR (issue 6)
        take_handover_screens(window, out, save, settle, wait_until)  # handover (issue 5)
        nurse = next(s.username for s in window.sign_in.model.rows if s.role == "nurse")
        window.lock()
        sign_in(window, nurse)  # DoLS records are for nurses and managers
        rows = window.residents.model.rows
        subject = next((r for r in rows if "DNACPR" in r.alerts), rows[0])
        take_capacity_screens(window, subject.resident_id, shoot, wait_until)  # issue 7
        take_admission_screens(window, shoot, wait_until)  # issue 5
        take_mfa_screens(window, shoot, wait_until)  # authenticator codes (issue 4)
    finally:
        window.shutdown()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m desktop.ui.screenshots OUTDIR\n")
        return 2
    sys.stdout.write("Rendering the screens…\n")
    take(Path(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
