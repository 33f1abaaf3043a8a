"""Move-ins in the store (入住): the list newest first, open or all, searched and cut to a limit,
and counted in the store whatever the limit."""

from __future__ import annotations

from deskapp.services import move_in as M

CLERK = 1


def test_the_list_is_newest_first_cut_to_its_limit_and_counted_whole(demo_store, clock) -> None:
    first = M.start(demo_store, clock, CLERK, unit_code="1-1-201", owner="高梅")
    done = M.start(demo_store, clock, CLERK, unit_code="1-1-202", owner="张伟")
    M.tick(demo_store, clock, CLERK, done, list(M.STEPS))
    last = M.start(demo_store, clock, CLERK, unit_code="1-1-301", owner="王芳")
    assert [m.id for m in M.list_move_ins(demo_store)] == [last, first]
    assert [m.id for m in M.list_move_ins(demo_store, show="all", limit=2)] == [last, done]
    assert (M.count_move_ins(demo_store), M.count_move_ins(demo_store, show="all")) == (2, 3)
    assert [m.id for m in M.list_move_ins(demo_store, show="all", search="张伟")] == [done]
    assert [m.id for m in M.list_move_ins(demo_store, search="1-1-20")] == [first]
