from __future__ import annotations

import threading
import time

from hawker.kit.ids import IdGenerator, id_time_ms


def test_ids_are_unique_increasing_and_fit_bigint() -> None:
    gen = IdGenerator(node=7)
    ids = [gen.next_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)


def test_ids_carry_their_time() -> None:
    gen = IdGenerator(node=1)
    before = int(time.time() * 1000)
    value = gen.next_id()
    after = int(time.time() * 1000)
    assert before - 1 <= id_time_ms(value) <= after + 1


def test_ids_unique_across_threads() -> None:
    gen = IdGenerator(node=3)
    out: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [gen.next_id() for _ in range(5_000)]
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 20_000
    assert len(set(out)) == 20_000
