#!/usr/bin/env python
"""Run `poll` with a garbage-collector probe, to see pauses and what the heap holds.

    python benchmarks/gc_probe.py OUT_DIR serve --host 127.0.0.1 --port P ...

Everything after OUT_DIR is passed to `poll`'s command line
unchanged; the server code is not touched. The probe adds:

- `gc.callbacks`: the duration of every collection, by generation, written to OUT_DIR/gc.json
  when the process exits (pauses are what a broadcast or an ack waits behind);
- SIGUSR2 (an experiment only): `gc.freeze()` everything alive at that moment, so later full
  collections skip the connections' objects; `load.py --probe-freeze` sends it after connecting;
- every step of the event loop (a callback or a task's step) that took more than 1 ms: when it
  ended, how long, and what it ran, written to OUT_DIR/slow.json at exit (a vote that comes
  meanwhile waits for it);
- SIGUSR1: a census of the objects the collector tracks (count and shallow size per type),
  appended to OUT_DIR/census.jsonl; `load.py --probe DIR` sends it after the phones connected,
  so the census divided by the number of phones is the cost of one connection.
"""

from __future__ import annotations

import asyncio.events
import atexit
import contextlib
import gc
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)
_events: list[tuple[float, int, float, int]] = []  # (wall time, generation, seconds, collected)
_started: list[float] = [0.0]
SLOW = 0.001  # seconds: a step of the event loop longer than this is recorded
_slow: list[tuple[float, float, str]] = []  # (wall time at its end, seconds, what it ran)
_run = asyncio.events.Handle._run


def _timed_run(handle: asyncio.events.Handle) -> None:
    began = time.perf_counter()
    _run(handle)
    took = time.perf_counter() - began
    if took > SLOW:
        _slow.append((time.time(), took, repr(handle)[:300]))


asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        _events.append((time.time(), info["generation"], time.perf_counter() - _started[0],
                        info.get("collected", 0)))


def _census(signum: int, frame: object) -> None:
    began = time.perf_counter()
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    # gc.get_objects() leaves out frozen objects, and the server freezes its connections
    # (poll/ws/gc_policy.py): thaw them for the count, then freeze again.
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    everything = gc.get_objects()
    if frozen:
        gc.freeze()
    for obj in everything:
        name = type(obj).__qualname__
        mod = type(obj).__module__
        key = name if mod == "builtins" else f"{mod}.{name}"
        counts[key] += 1
        with contextlib.suppress(TypeError):
            sizes[key] += sys.getsizeof(obj)
    with open(OUT / "census.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"time": time.time(), "objects": sum(counts.values()),
                            "gc_counts": gc.get_count(),
                            "took_s": round(time.perf_counter() - began, 3),
                            "types": {k: [counts[k], sizes[k]]
                                      for k, _ in counts.most_common(80)}}) + "\n")


def _write() -> None:
    (OUT / "gc.json").write_text(json.dumps({"thresholds": gc.get_threshold(),
                                             "events": _events}), "utf-8")
    (OUT / "slow.json").write_text(json.dumps({"over_s": SLOW, "steps": _slow}), "utf-8")


def _terminated(signum: int, frame: object) -> None:
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler
    # that was there before it started: this one, so the events are written before exiting.
    _write()
    sys.exit(0)


def _freeze(signum: int, frame: object) -> None:
    """SIGUSR2 (an experiment, `load.py --probe-freeze`): gc.freeze() what is alive now."""
    gc.collect()
    gc.freeze()
    with open(OUT / "freeze.json", "w", encoding="utf-8") as f:
        json.dump({"time": time.time(), "frozen": gc.get_freeze_count()}, f)


gc.callbacks.append(_on_gc)
signal.signal(signal.SIGUSR2, _freeze)
signal.signal(signal.SIGUSR1, _census)
signal.signal(signal.SIGTERM, _terminated)
atexit.register(_write)


if __name__ == "__main__":
    from poll.cli import main

    code = main(sys.argv[2:])
    _write()
    sys.exit(code)
