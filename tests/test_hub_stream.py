"""The hub's chunked payload reader gives exactly what the desktop's reader gives."""

from __future__ import annotations

import pytest

from teamdesk.errors import InputRejected
from teamdesk.sync import bundle as bundle_format
from teamdesk.sync.hub.stream import iter_chunks
from teamdesk.sync.identity import Identity
from tests.test_hub_support import synthetic_bundle


def test_chunks_equal_the_whole_payload():
    hub = Identity.ephemeral("a000000000000001")
    sender = Identity.ephemeral("b000000000000002")
    raw = synthetic_bundle(sender, hub_recipient=hub.age_recipient, commune="15106", households=25, helps_each=3)
    bundle = bundle_format.read_manifest(raw)
    whole = bundle_format.open_payload(bundle, identity=hub)
    got: dict[str, list] = {}
    sizes = []
    for table, columns, rows in iter_chunks(bundle, identity=hub, chunk_rows=7):
        assert columns == whole.sections[table].columns
        got.setdefault(table, []).extend(rows)
        sizes.append(len(rows))
    assert {t: s.rows for t, s in whole.sections.items()} == got
    assert max(sizes) == 7
    with pytest.raises(InputRejected):
        list(iter_chunks(bundle, identity=sender))  # not encrypted to the sender
