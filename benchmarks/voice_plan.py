"""The schedule of the room's voice benchmark (`benchmarks/voice.py`): which phone gives a
reason, a +1 or changes its vote, and when; seeded, so every run sends the same."""

from __future__ import annotations

import random

from phones import CHOICES
from voice_phones import Action

SENTENCE = ("because the workshop teaches what a textbook cannot and students who build "
            "something for a real client learn to plan ask for help and finish on time while "
            "teachers see what the trade needs now")
WORDS = SENTENCE.split()


def reason_text(i: int) -> str:
    """A reason of 8 to 32 words (about 40 to 200 characters), different for every phone."""
    words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(8 + i % 25)]
    return f"{i}: " + " ".join(words).capitalize() + "."


class Plan:
    """Who does what when in the voice window: seeded, so every run sends the same."""

    def __init__(self, n: int, reasons: int, plus: int, changes: int, duration: float,
                 first_plus: float, statement: int, seed: int = 12) -> None:
        rng = self.rng = random.Random(seed)
        self.statement = statement
        self.reasons = sorted(zip((rng.uniform(0, 0.7 * duration) for _ in range(reasons)),
                                  rng.sample(range(n), reasons), strict=True))
        order = rng.sample(range(n), n)
        # the k-th change of phone i: CHOICES[(i + k) % 3], never the choice it had (k <= 2)
        self.changes = sorted((rng.uniform(0, duration), order[j % n], j // n + 1)
                              for j in range(min(changes, 2 * n)))
        order = rng.sample(range(n), n)
        self.plus = sorted((rng.uniform(first_plus, duration), order[j % n]) for j in range(plus))
        self.known: list[tuple[int, int]] = []  # (reason id, author) whose answer arrived
        self.plussed: dict[int, set[int]] = {}
        self.deferred: list[tuple[float, int]] = []  # +1s that found no reason free yet

    @property
    def unplanned(self) -> int:
        """+1s that never found a reason to go to (none given yet, or all +1'd already)."""
        return len(self.deferred)

    def actions(self, start: float, end: float, t0: float) -> list[Action]:
        """The actions due in [start, end) seconds of the window, with absolute due times."""
        out: list[Action] = []
        for at, i in self.reasons:
            if start <= at < end:
                out.append((t0 + at, "reason", i, [self.statement, reason_text(i)]))
        for at, i, k in self.changes:
            if start <= at < end:
                out.append((t0 + at, "vote", i,
                            [self.statement, CHOICES[(i + k) % 3], f"c-{i}-{k}"]))
        due = [(max(at, start), i) for at, i in self.deferred]
        due += [(at, i) for at, i in self.plus if start <= at < end]
        self.deferred = []
        for at, i in due:
            target = self._target(i)
            if target is None:  # no reason free for this phone yet: in the next slice
                self.deferred.append((at, i))
            else:
                out.append((t0 + at, "plus", i, target))
        out.sort(key=lambda a: a[0])
        return out

    def _target(self, giver: int) -> int | None:
        """A reason given by another phone that `giver` has not +1'd yet (uniformly chosen)."""
        done = self.plussed.setdefault(giver, set())
        for _ in range(20):
            if not self.known:
                return None
            reason_id, author = self.known[self.rng.randrange(len(self.known))]
            if author != giver and reason_id not in done:
                done.add(reason_id)
                return reason_id
        return None
