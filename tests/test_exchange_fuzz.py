"""Random damage to a good file: the reader either accepts it or refuses it with B2PError
(a Russian message) — never another exception, never a hang."""
from __future__ import annotations

import random

from support import EXCHANGE_FIXTURES as FIX
from tui_app.exchange.b2p import B2PError, parse_b2p

GOOD = FIX / "47002090-06-470123-005(ok)-20270210.b2p"
STEM = "47002090-06-470123-005(ok)-20270210"
SNIPPETS = [b"<", b">", b"&", b'"', b"&amp;", b"<!--", b"\x00", b"\xff", b"\xd0", b"<Block/>",
            b"</Page>", b"-1", "З".encode(), b"  ", b"\n", b"&#0;", b"]]>", b"<?pi x?>"]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    kind = rng.randrange(5)
    pos = rng.randrange(len(data))
    if kind == 0:  # flip a byte
        return data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1:]
    if kind == 1:  # cut
        return data[:pos]
    if kind == 2:  # insert a nasty snippet
        return data[:pos] + rng.choice(SNIPPETS) + data[pos:]
    if kind == 3:  # delete a span
        return data[:pos] + data[pos + rng.randrange(1, 200):]
    # duplicate a span
    span = data[pos:pos + rng.randrange(1, 400)]
    return data[:pos] + span + span + data[pos + len(span):]


def test_random_damage_is_refused_cleanly():
    data = GOOD.read_bytes()
    rng = random.Random(20270210)
    refused = 0
    for _ in range(300):
        bad = _mutate(rng, data)
        try:
            parse_b2p(bad, file_stem=STEM)
        except B2PError as e:
            refused += 1
            assert e.problems and all(p.message for p in e.problems)
    assert refused > 250  # nearly every damage is noticed (CRC catches the quiet ones)
