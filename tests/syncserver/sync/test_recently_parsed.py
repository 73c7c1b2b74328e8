"""Stored records' JSON parsed once for many pushes: every reader still gets its own copy."""

from __future__ import annotations

import json

from syncserver.sync.rows import RecentlyParsed


def test_each_reader_gets_its_own_copy_of_a_flat_object() -> None:
    cache = RecentlyParsed()
    text = json.dumps({"status": "active", "room": "12", "score": 3})
    first = cache.parse(text)
    first["status"] = "opened in place"
    second = cache.parse(text)
    assert second == {"status": "active", "room": "12", "score": 3}
    assert second is not cache.parse(text)


def test_objects_holding_lists_or_objects_are_parsed_afresh_each_time() -> None:
    cache = RecentlyParsed()
    text = json.dumps({"contacts": [{"name": "A"}]})
    first = cache.parse(text)
    first["contacts"][0]["name"] = "changed"
    assert cache.parse(text) == {"contacts": [{"name": "A"}]}
    assert len(cache) == 0


def test_the_oldest_text_is_forgotten_past_the_capacity() -> None:
    cache = RecentlyParsed(capacity=2)
    texts = [json.dumps({"n": n}) for n in range(3)]
    for text in texts:
        cache.parse(text)
    assert len(cache) == 2
    assert [cache.parse(t) for t in texts] == [{"n": 0}, {"n": 1}, {"n": 2}]
