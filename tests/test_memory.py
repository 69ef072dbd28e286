"""The collector policy: freeze as connections grow by a step, unfreeze when most are gone."""

from __future__ import annotations

import gc

from poll.ws.gc_policy import FreezePolicy


def test_freezes_in_steps_and_unfreezes_when_the_room_empties() -> None:
    policy = FreezePolicy(step=1000)
    try:
        assert policy.update(10) is None
        assert policy.update(1200) == "freeze"
        assert gc.get_freeze_count() > 0
        assert policy.update(1900) is None  # less than a step more
        assert policy.update(2300) == "freeze"
        assert policy.update(1500) is None  # still more than half
        assert policy.update(1000) == "unfreeze"
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
