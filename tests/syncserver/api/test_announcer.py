"""After-commit announcements: each push told at once when the server is quiet; when pushes
arrive faster than PCs can be told, one announcement per home covering all of them."""

from __future__ import annotations

import threading

from syncserver.api.announcer import Announcer, HomeNews

WAIT_S = 30


def test_pushes_waiting_together_are_told_once_per_home_from_the_first() -> None:
    told: list[tuple[str, str, HomeNews]] = []
    busy = threading.Event()
    release = threading.Event()

    def announce(tenant: str, home: str, news: HomeNews) -> None:
        if not told:
            busy.set()
            assert release.wait(WAIT_S)  # the first announcement holds the thread
        told.append((tenant, home, news))

    announcer = Announcer(announce)
    announcer.committed("t1", ["h1"], 0, 5, 5)
    assert busy.wait(WAIT_S)
    announcer.committed("t1", ["h1", None], 5, 9, 4)
    announcer.committed("t1", ["h2"], 9, 12, 3)
    announcer.committed("t1", ["h1"], 12, 20, 8)
    announcer.committed("t2", ["h1"], 100, 101, 1)
    release.set()
    announcer.stop()
    assert told == [
        ("t1", "h1", HomeNews(0, 5, 5)),
        ("t1", "h1", HomeNews(5, 20, 12)),
        ("t1", "h2", HomeNews(9, 12, 3)),
        ("t2", "h1", HomeNews(100, 101, 1)),
    ]


def test_a_failed_announcement_does_not_stop_the_next() -> None:
    told: list[str] = []

    def announce(_tenant: str, home: str, _news: HomeNews) -> None:
        if home == "broken":
            raise RuntimeError("Redis is down")
        told.append(home)

    announcer = Announcer(announce)
    announcer.committed("t1", ["broken"], 0, 1, 1)
    announcer.committed("t1", ["h1"], 1, 2, 1)
    announcer.stop()
    assert told == ["h1"]
