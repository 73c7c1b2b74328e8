"""What follows a committed push, on a thread of its own so the writer goes straight on:
telling the PCs listening in each home it touched.

Announcements waiting together are merged, one per home: the newest sequence number, with
(for PCs that take them) one page of the home's changes from before the first of them. A PC
applies such a page only if its cursor is exactly where the page starts, otherwise it pulls,
so a merged announcement tells it no less than the separate ones would have. When the server
is quiet each push is announced on its own, at once; when it is busy, the work of telling
PCs stays one page per home however many pushes arrived meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class HomeNews:
    """What a home's listeners are to be told: records after ``from_seq`` up to
    ``server_seq``, ``changes`` of them pushed (an upper bound on the page's size)."""

    from_seq: int
    server_seq: int
    changes: int


Announce = Callable[[str, str, HomeNews], None]  # tenant, home, news


class Announcer:
    def __init__(self, announce: Announce) -> None:
        self._announce = announce
        self._news: dict[tuple[str, str], HomeNews] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="wcn-announce", daemon=True)
        self._thread.start()

    def committed(
        self,
        tenant_id: str,
        homes: Iterable[str | None],
        from_seq: int,
        server_seq: int,
        changes: int,
    ) -> None:
        with self._cond:
            for home in homes:
                if home is None:
                    continue
                known = self._news.get((tenant_id, home))
                if known is None:
                    self._news[(tenant_id, home)] = HomeNews(from_seq, server_seq, changes)
                else:
                    known.from_seq = min(known.from_seq, from_seq)
                    known.server_seq = max(known.server_seq, server_seq)
                    known.changes += changes
            self._cond.notify()

    def stop(self) -> None:
        """Tell what was committed, then end."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._news and not self._stopping:
                    self._cond.wait()
                news, self._news = self._news, {}
                stopping = self._stopping
            for (tenant_id, home_id), home_news in news.items():
                try:
                    self._announce(tenant_id, home_id, home_news)
                except Exception:  # the PCs still pull on their own timer
                    log.exception("live updates: a home could not be told of a push")
            if stopping and not news:
                return
