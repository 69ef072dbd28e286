#!/usr/bin/env python
"""The room's voice under load (issue 12): reasons and +1s from thousands of phones while votes
keep coming.

    python benchmarks/voice.py               # 10,000 phones; 2,000 reasons, 20,000 +1s in 60 s
    python benchmarks/voice.py --quick       # 300 phones, about 10 s: CI smoke test
    python benchmarks/voice.py --phones 5000 --reasons 1000 --plus 10000 --out ...

One real `poll serve` on a fresh SQLite file, started as `load.py` starts it (its pieces are
imported: the server, the worker pool, the moderator's client, the vote burst, the export check).
The moderator sets the debate's visibility to `live` (so phones see results, and with them the
reasons, as votes come in), a projector and a moderator socket are open, N phones connect over
several 127.0.0.x addresses (the per-address limits of `poll/limits.py` are sized for a venue, one
address per 1,000 phones stays far inside them), voting opens and every phone votes once (the
burst of `load.py`). Then the voice window (`--duration`, 60 s): `--reasons` phones give a reason
(spread over the first 70 % of the window), `--plus` +1s go to reasons of other phones (every
phone gives about plus/N of them, each on a different reason, on reasons already given, spread
over the window after its first slice, each planned when its slice is sent, on the reasons
answered by then), and `--changes` votes change (spread over the window; a
changed vote moves the voter's reason to the other side). The schedule is seeded, so runs are
comparable; the parent sends it to the phone workers a slice at a time.

Measured: vote->ack, reason->answer and +1->answer latency during the window (in the workers,
`time.perf_counter()`); per phone the `reasons` and `tally` frames and the characters received
in the window (the server must coalesce: at most one reason list per 2 s per phone); the same for
the projector and the moderator; server CPU and RSS (psutil); how late the generator sent its
actions (if it was too busy to keep its schedule, the latencies say less).

Exit status 1 only for functional failures: a phone that could not connect or was disconnected, an
error frame (any refusal: rate limit, unknown reason...), a vote, reason or +1 left unanswered,
stored votes that differ from the acknowledged ones, a moderator's list that does not hold every
answered reason and +1, or a phone that got more reason lists than the phones' pace allows.
Timing is never asserted, so `--quick` runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
import voice_phones  # noqa: E402
from load import Bench, Meter, PollServer, Screen, mb, percentiles  # noqa: E402
from voice_plan import Plan  # noqa: E402

PHONE_PACE = 2.0  # seconds between reason lists to phones (poll/live/ticker.py VOICE_INTERVAL)
class Watcher(Screen):
    """A projector or moderator socket: counts its frames in the window, keeps the last list."""

    def __init__(self) -> None:
        super().__init__()
        self.counting = False
        self.frames: Counter[str] = Counter()
        self.chars = 0
        self.last_reasons: dict[str, Any] | None = None

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                ts = time.time()
                msg = json.loads(raw)
                kind = msg.get("type")
                if self.counting:
                    self.frames[kind] += 1
                    self.chars += len(raw)
                if kind == "tally":
                    self.tallies.append((ts, msg))
                    self._event.set()
                elif kind == "reasons":
                    self.last_reasons = msg

    def summary(self, window: float) -> dict[str, Any]:
        return {"frames": sum(self.frames.values()), "by_type": dict(self.frames),
                "reasons_frames": self.frames["reasons"], "chars": self.chars,
                "kb_per_s": round(self.chars / 1024 / window, 1)}


class VoiceBench(Bench):
    worker_main = staticmethod(voice_phones.main)

    async def run(self) -> dict[str, Any]:
        began = time.time()
        out: dict[str, Any] = {"meta": {**self.meta(), "voice": {
            "reasons": self.args.reasons, "plus": self.args.plus,
            "changes": self.args.changes, "duration_s": self.args.duration,
            "slice_s": self.args.slice}}}
        out["poll"] = await self.run_voice()
        out["meta"]["seconds"] = round(time.time() - began, 1)
        out["meta"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
        v = out["poll"].get("voice", {})
        out["goals"] = [
            {"goal": "vote->ack p99 <= 200 ms during the voice",
             "value": v.get("vote", {}).get("p99"),
             "met": None if v.get("vote", {}).get("p99") is None
             else v["vote"]["p99"] <= 200},
            {"goal": "the same, timed by phones in a process of their own",
             "value": v.get("sentinel", {}).get("p99"),
             "met": None if v.get("sentinel", {}).get("p99") is None
             else v["sentinel"]["p99"] <= 200},
            {"goal": f"reason lists per phone <= window / {PHONE_PACE:g} s + 2",
             "value": v.get("phones", {}).get("reasons_frames", {}).get("max"),
             "met": v.get("phones", {}).get("coalesced")},
        ]
        out["problems"] = list(self.problems)
        out["ok"] = not self.problems
        return out

    async def run_voice(self) -> dict[str, Any]:
        print(f"debate-poll, the room's voice: {self.n} phones", flush=True)
        poll = self.start_poll()
        server, http, debate = poll.server, poll.http, poll.debate
        statement = debate["statements"][0]["id"]
        result: dict[str, Any] = {"debate": poll.id}
        screen, moderator = Watcher(), Watcher()
        try:
            await self._wait_health(http, server)
            await poll.sign_in()
            await poll.post("settings", {"visibility": "live"})
            await http.get(debate["screen_url"])
            ws = f"ws://127.0.0.1:{poll.port}"
            await screen.start(f"{ws}/ws/{poll.id}/screen", poll.cookie())
            await moderator.start(f"{ws}/ws/{poll.id}/moderator", poll.cookie())
            phone_path = await self._phone_socket_path(http, debate)
            await asyncio.sleep(0.3)
            result["rss_idle_mb"] = mb(server.rss())
            result["connect"] = await self.connect_phones(f"{ws}{phone_path}", server,
                                                          first_addr=40)
            await asyncio.sleep(self.args.pause)
            result["rss_connected_mb"] = mb(server.rss())
            result["idle"] = await self._idle(server)
            print(f"  connected in {result['connect']['seconds']} s, "
                  f"RSS {result['rss_connected_mb']} MB", flush=True)
            t0, took, _ = await poll.control("open")
            got = await self.wait_phones("open", {"statement": statement, "phase": "open"}, t0)
            result["open"] = {**percentiles(got["latencies"]), "post_ms": round(took * 1000, 1)}
            await asyncio.sleep(self.args.pause)
            result["vote"] = await self._vote_burst(server, screen, statement,
                                                    result["idle"]["server_cpu_pct"])
            burst_acked = result["vote"].pop("_acked")
            await asyncio.sleep(self.args.pause)
            result["voice"], change_acked = await self._voice(poll, statement, screen,
                                                               moderator, f"{ws}{phone_path}")
            await poll.control("close")
            result["export"] = await self._check_votes(http, poll.id, statement,
                                                       burst_acked + change_acked)
            result["rss_end_mb"] = mb(server.rss())
            result["phones_end"] = await self.close_phones("debate-poll")
            await screen.close()
            await moderator.close()
        finally:
            await self.stop_poll(poll)
        return result

    async def _voice(self, poll: PollServer, statement: int, screen: Watcher,
                     moderator: Watcher, phone_url: str,
                     ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        a, server = self.args, poll.server
        # phones in a process of their own, timing votes as a phone would (benchmarks/sentinel.py)
        sentinel = None if not a.sentinels else subprocess.Popen(
            [sys.executable, str(HERE / "sentinel.py"), phone_url, str(statement),
             str(a.duration), "--phones", str(a.sentinels), "--address", "127.0.0.250"],
            stdout=subprocess.PIPE, text=True)
        plan = Plan(self.n, a.reasons, a.plus, a.changes, a.duration, a.slice, statement)
        print(f"  voice: {len(plan.reasons)} reasons, {len(plan.plus)} +1s, "
              f"{len(plan.changes)} vote changes in {a.duration:g} s", flush=True)
        workers = len(self.pool)
        meter = Meter(server, self.pool)
        rss = [server.rss()]
        await self.pool.call("voice_begin", [{}] * workers)
        screen.counting = moderator.counting = True
        began = time.time()
        t0 = began + 1.0
        snap = meter.snap()

        async def sample_rss() -> None:
            while True:
                await asyncio.sleep(1.0)
                rss.append(server.rss())

        sampler = asyncio.create_task(sample_rss())
        async with self.profiler(server, "voice"):
            for k in range(math.ceil(a.duration / a.slice)):
                # send each slice a little before it is due, planned with the reasons known now
                delay = t0 + k * a.slice - 0.3 - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                news = await self.pool.call("voice_news", [{}] * workers)
                plan.known += [tuple(r) for reply in news for r in reply]
                per = [[] for _ in range(workers)]  # type: list[list[voice_phones.Action]]
                for action in plan.actions(k * a.slice, (k + 1) * a.slice, t0):
                    per[action[2] % workers].append(action)  # phone i is in worker i % W
                await self.pool.call("voice_slice", [{"actions": p} for p in per])
            reports = await self.pool.call(
                "voice_end", [{"timeout": 30.0, "linger": PHONE_PACE + 1.0}] * workers,
                timeout=a.duration + 120)
            cost = meter.since(snap)
        sentinels = None
        if sentinel is not None:
            stdout, _ = await asyncio.to_thread(sentinel.communicate, timeout=60)
            sentinels = json.loads(stdout.strip().splitlines()[-1])
        window = time.time() - began
        screen.counting = moderator.counting = False
        sampler.cancel()
        rss.append(server.rss())
        await asyncio.sleep(1.0)  # the moderator's list comes every 0.5 s: let it settle
        out = self._voice_summary(plan, reports, window, cost, rss, screen, moderator)
        if sentinels is not None:
            out["sentinel"] = {**percentiles([x / 1000 for x in sentinels["latencies"]]),
                               "phones": a.sentinels, "unanswered": sentinels["unanswered"],
                               "refused": sentinels["refused"], "errors": sentinels["errors"]}
            if sentinels["unanswered"] or sentinels["refused"] or sentinels["errors"]:
                self.problems.add(f"sentinel phones: {sentinels['unanswered']} unanswered, "
                                  f"refused {sentinels['refused']}, {sentinels['errors'][:2]}")
        acked = [tuple(v) for r in reports for v in r["acked_votes"]]
        acked += [tuple(v) for v in (sentinels or {}).get("acked", [])]
        return out, acked  # type: ignore[return-value]

    def _voice_summary(self, plan: Plan, reports: list[dict[str, Any]], window: float,
                       cost: dict[str, float], rss: list[int], screen: Watcher,
                       moderator: Watcher) -> dict[str, Any]:
        lat = {kind: [x for r in reports for x in r["latencies"][kind]]
               for kind in ("vote", "reason", "plus")}
        unanswered = {k: sum(r["unanswered"][k] for r in reports) for k in lat}
        refusals = {k: sorted(Counter(c for r in reports for c in r["refusals"][k]).items())
                    for k in lat}
        per_phone = [c for r in reports for c in r["per_phone"]]
        lists = [c[2] for c in per_phone]
        allowed = window / PHONE_PACE + 2
        actions = sum(len(v) for v in lat.values())
        out: dict[str, Any] = {
            "window_s": round(window, 2),
            "planned": {"reasons": len(plan.reasons), "plus": len(plan.plus) - plan.unplanned,
                        "changes": len(plan.changes), "plus_without_target": plan.unplanned},
            "answered": {k: len(v) for k, v in lat.items()},
            "unanswered": unanswered, "refusals": refusals,
            "send_errors": sum(r["send_errors"] for r in reports),
            "generator_late_p99_ms": round(max(r["late_p99"] or 0 for r in reports) * 1000, 1),
            "generator_late_max_ms": round(max(r["late_max"] or 0 for r in reports) * 1000, 1),
            **{k: percentiles(v) for k, v in lat.items()},
            "phones": {
                "reasons_frames": _spread(lists),
                "reasons_frames_allowed": round(allowed, 1),
                "coalesced": bool(lists) and max(lists) <= allowed,
                "tally_frames": _spread([c[3] for c in per_phone]),
                "frames": _spread([c[0] for c in per_phone]),
                "kb": _spread([c[1] / 1024 for c in per_phone]),
                "kb_per_s": round(sum(c[1] for c in per_phone) / max(1, len(per_phone))
                                  / 1024 / window, 2),
            },
            "screen": screen.summary(window),
            "moderator": moderator.summary(window),
            "server_rss_mb": {"before": mb(rss[0]), "max": mb(max(rss)), "after": mb(rss[-1])},
            "server_cpu_us_per_action": round(cost["server_cpu_s"] / max(1, actions) * 1e6, 1),
            **cost,
        }
        if out["send_errors"]:
            self.problems.add(f"voice: {out['send_errors']} actions could not be sent")
        for kind, n in unanswered.items():
            if n:
                self.problems.add(f"voice: {n} {kind} messages got no answer")
        for kind, codes in refusals.items():
            if codes:
                self.problems.add(f"voice: {kind} refused: {codes}")
        if plan.unplanned:
            self.problems.add(f"voice: {plan.unplanned} +1s found no reason to go to")
        if not out["phones"]["coalesced"]:
            self.problems.add(f"voice: a phone got {max(lists, default=0)} reason lists in "
                              f"{window:.0f} s (at most {allowed:.0f} at one per "
                              f"{PHONE_PACE:g} s)")
        self._check_lists(moderator.last_reasons, len(lat["reason"]), len(lat["plus"]), out)
        print(f"  voice: vote->ack p50 {out['vote']['p50']} p99 {out['vote']['p99']} ms, "
              f"reason p99 {out['reason']['p99']} ms, +1 p99 {out['plus']['p99']} ms; "
              f"reason lists per phone max {out['phones']['reasons_frames']['max']}",
              flush=True)
        return out

    def _check_lists(self, last: dict[str, Any] | None, reasons: int, plus: int,
                     out: dict[str, Any]) -> None:
        """The moderator's last list holds every answered reason, with every answered +1."""
        given = (last or {}).get("all", [])
        counted = sum(r["plus"] for r in given)
        out["moderator_list"] = {"reasons": len(given), "plus": counted}
        if len(given) != reasons or counted != plus:
            self.problems.add(f"voice: the moderator's list holds {len(given)} reasons with "
                              f"{counted} +1s; {reasons} reasons and {plus} +1s were answered")

    async def _check_votes(self, http: Any, debate_id: str, statement: int,
                           acked: list[tuple[str, str]]) -> dict[str, Any]:
        """export.json holds exactly the acknowledged votes, the changes of mind included."""
        r = await http.get(f"/d/{debate_id}/export.json")
        if r.status_code != 200:
            self.problems.add(f"export.json: {r.status_code}")
            return {"ok": False}
        stored = Counter((v["participant"], v["choice"]) for v in r.json().get("votes", [])
                         if v.get("statement_id") == statement)
        want = Counter(acked)
        missing, extra = sum((want - stored).values()), sum((stored - want).values())
        if missing or extra:
            self.problems.add(f"stored votes differ from acknowledged ones: {missing} acked but "
                              f"not stored, {extra} stored but not acked")
        return {"ok": not (missing or extra), "stored": sum(stored.values()),
                "acked": len(acked), "missing": missing, "extra": extra}


def _spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "p50": None, "mean": None, "max": None}
    s = sorted(values)
    return {"min": round(s[0], 1), "p50": round(s[len(s) // 2], 1),
            "mean": round(sum(s) / len(s), 1), "max": round(s[-1], 1)}


def report(out: dict[str, Any]) -> str:
    m, p = out["meta"], out["poll"]
    v, c, b = p["voice"], p["connect"], p["vote"]
    ph = v["phones"]
    lines = [
        f"debate-poll, the room's voice: {m['phones']} phones, {m['workers']} client processes, "
        f"{m['source_addresses']} source addresses (server: {load.server_label(m)}, load "
        f"{m['host']['load_before'][0]} -> {m['load_after'][0]}, {m['seconds']} s)",
        f"  connect {c['seconds']} s; RSS idle {p['rss_idle_mb']} MB, connected "
        f"{p['rss_connected_mb']} MB",
        f"  vote burst (visibility live): {b['acked']}/{b['votes']} acked, vote->ack p50 "
        f"{b['p50']} / p99 {b['p99']} ms",
        "",
        f"voice window {v['window_s']} s: {v['answered']['reason']} reasons, "
        f"{v['answered']['plus']} +1s, {v['answered']['vote']} vote changes answered "
        f"(unanswered {v['unanswered']}); generator late p99 {v['generator_late_p99_ms']} ms",
    ]
    for kind, label in (("vote", "vote->ack"), ("reason", "reason->answer"),
                        ("plus", "+1->answer")):
        x = v[kind]
        lines.append(f"  {label:16} p50 {x['p50']} / p95 {x['p95']} / p99 {x['p99']} / max "
                     f"{x['max']} ms (n {x['n']})")
    if "sentinel" in v:
        x = v["sentinel"]
        lines.append(f"  vote->ack of {x['phones']} phones in a process of their own: p50 "
                     f"{x['p50']} / p95 {x['p95']} / p99 {x['p99']} / max {x['max']} ms "
                     f"(n {x['n']})")
    lines += [
        f"  per phone: reason lists {ph['reasons_frames']} "
        f"(allowed {ph['reasons_frames_allowed']})",
        f"             tallies {ph['tally_frames']}, frames {ph['frames']}",
        f"             KB {ph['kb']} ({ph['kb_per_s']} KB/s)",
        f"  projector: {v['screen']['reasons_frames']} reason lists, {v['screen']['frames']} "
        f"frames, {v['screen']['kb_per_s']} KB/s; moderator: {v['moderator']['reasons_frames']} "
        f"lists, {v['moderator']['kb_per_s']} KB/s",
        f"  server CPU {v['server_cpu_pct']} % of one core ({v['server_cpu_us_per_action']} us "
        f"per action), RSS {v['server_rss_mb']} MB; generator CPU {v['generator_cpu_pct']} %",
        "",
    ]
    return "\n".join(lines + load.verdict(out, width=44))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phones", type=int, help="number of phones (default 10000; --quick: 300)")
    p.add_argument("--reasons", type=int, help="phones that give a reason (default phones / 5)")
    p.add_argument("--plus", type=int, help="+1s in the window (default 2 per phone)")
    p.add_argument("--changes", type=int,
                   help="vote changes in the window (default 1 per phone, at most 2 per phone)")
    p.add_argument("--duration", type=float, help="the voice window, s (default 60; --quick 8)")
    p.add_argument("--slice", type=float,
                   help="the schedule goes to the workers in slices of this many s (default 5; "
                        "--quick 1)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: a few hundred phones, a short window, no timing goals")
    p.add_argument("--out", default=str(HERE / "results" / "voice.json"),
                   help="JSON results file (default: benchmarks/results/voice.json)")
    p.add_argument("--workers", type=int, help="client processes (default 2, or 1 per 5,000)")
    p.add_argument("--addresses", type=int,
                   help="source addresses 127.0.0.x (default 1 per 1,000 phones, min 2, max 25)")
    p.add_argument("--window", type=float,
                   help="the first vote burst's window, s (default 10 s per 10,000 phones)")
    p.add_argument("--pause", type=float, help="seconds of quiet between scenarios (default 1)")
    p.add_argument("--connect-concurrency", type=int, default=200)
    p.add_argument("--sentinels", type=int, default=20,
                   help="phones in a process of their own that time their votes through the "
                        "voice window (benchmarks/sentinel.py; default 20, 0: none)")
    p.add_argument("--server-ref", metavar="REF",
                   help="run the server from `git archive REF` instead of the working tree")
    p.add_argument("--profile", action="store_true",
                   help="py-spy record the server during the vote burst and the voice window")
    p.add_argument("--profile-format", choices=("raw", "flamegraph", "speedscope"),
                   default="raw")
    p.add_argument("--profile-rate", type=int, default=100)
    p.add_argument("--profile-native", action="store_true")
    args = p.parse_args(argv)
    n = args.phones = args.phones or (300 if args.quick else 10_000)
    args.reasons = min(n, args.reasons if args.reasons is not None else n // 5)
    args.plus = args.plus if args.plus is not None else 2 * n
    args.changes = args.changes if args.changes is not None else n
    args.duration = args.duration or (8.0 if args.quick else 60.0)
    args.slice = args.slice or (1.0 if args.quick else 5.0)
    args.workers = args.workers or max(2, math.ceil(n / 5000))
    args.addresses = min(25, args.addresses or max(2, math.ceil(n / 1000)))
    args.pause = args.pause if args.pause is not None else (0.3 if args.quick else 1.0)
    # what load.Bench reads and this scenario does not use
    args.switches, args.skip_bare, args.probe, args.probe_freeze = 0, True, None, False
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return load.run_bench(VoiceBench(args), args.out, report)


if __name__ == "__main__":
    sys.exit(main())
