#!/usr/bin/env python
"""Load benchmark: many phones on one debate-poll server, beside a bare `websockets` baseline.

    python benchmarks/load.py                       # 10,000 phones (a few minutes)
    python benchmarks/load.py --phones 1000 --out benchmarks/results/1000.json
    python benchmarks/load.py --quick               # a few hundred phones: CI smoke test

It starts everything itself on 127.0.0.1 (free ports, a fresh SQLite file in a temp dir):

1. the bare baseline (`benchmarks/bare_server.py`): connect N phones, then a few broadcast
   "statement switches";
2. debate-poll (`python -m poll new ...` then `python -m poll serve ...`): connect N phones (and a
   projector screen), statement switches by the moderator (`POST /d/{id}/control action=next`),
   open voting, a vote burst (every phone votes once, spread uniformly over a window), close,
   reveal; then the stored votes are checked against the acknowledged ones via `export.json`.

Phones are real `websockets` clients spread over several worker processes (`benchmarks/phones.py`)
and several 127.0.0.x source addresses. Latencies are receive time minus the moment the parent
triggered the broadcast (`time.time()`, one machine, one clock); vote->ack is timed in the worker.

The result is a table on stdout and a JSON file (`--out`, default benchmarks/results/latest.json).
Timing is never asserted: the exit status is 1 only when something is functionally wrong (a phone
that could not connect or missed a state, a lost or refused vote, stored votes that differ from
the acknowledged ones, a dropped connection), so `--quick` can run in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import phones as phone_workers  # noqa: E402
from backends import Backend, backend, cpu_seconds  # noqa: E402

PY = sys.executable

STATEMENTS = [
    "Every teacher should be able to teach both in the room and online at the same time.",
    "Hybrid tech hubs are the education model of the future for vocational schools.",
    "Students learn more from a project with a real client than from a textbook.",
    "Schools should share expensive equipment instead of each buying their own.",
    "Companies should pay for the practical part of technical education.",
    "A student who works part-time in the trade should get credits for that work.",
    "The timetable should be built around projects, not around subjects.",
    "Every region needs one place where schools and companies train people together.",
    "Online lessons are good enough for theory; the workshop is only for practice.",
    "Teachers should spend one day a month working in a company.",
    "Exams should be replaced by a portfolio of finished work.",
    "In five years most technical courses will be taught in hubs like this one.",
]


# -- small helpers ---------------------------------------------------------------------------

def percentiles(values: list[float], scale: float = 1000.0) -> dict[str, Any]:
    """n, p50, p95, p99, max and mean (nearest rank), in ms for seconds with the default scale."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    s = sorted(values)
    n = len(s)

    def rank(p: float) -> float:
        return round(s[max(0, math.ceil(p / 100 * n) - 1)] * scale, 1)

    return {"n": n, "p50": rank(50), "p95": rank(95), "p99": rank(99),
            "max": round(s[-1] * scale, 1), "mean": round(sum(s) / n * scale, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mb(n: int | None) -> float | None:
    return None if n is None else round(n / 2**20, 1)


def git_describe(server_root: Path = ROOT) -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    # The server code as it was run (others may be editing poll/ in the same checkout).
    digest = hashlib.sha256()
    for path in sorted((server_root / "poll").rglob("*.py")):
        digest.update(path.relative_to(server_root).as_posix().encode() + b"\0"
                      + path.read_bytes())
    return {"commit": run("git", "rev-parse", "--short", "HEAD"),
            "dirty": server_root == ROOT
            and bool(run("git", "status", "--porcelain", "--", "poll")),
            "poll_sources_sha256": digest.hexdigest()[:12]}


class Problems(list):
    def add(self, text: str) -> None:
        print(f"  PROBLEM: {text}", flush=True)
        self.append(text)


# -- processes -------------------------------------------------------------------------------

class Server:
    """A server subprocess with its log file, CPU and memory readings."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: dict[str, str] | None = None,
                 cwd: Path = ROOT, backend: Backend | None = None) -> None:
        self.name = name
        self.backend = backend  # the database's and pub/sub's processes, read beside the app's
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                     start_new_session=True)
        self.ps = psutil.Process(self.proc.pid)

    def _workers(self) -> list[psutil.Process]:
        """`poll serve --workers N`'s processes (the supervisor's children), else this one."""
        if self.name != "debate-poll" or "--workers" not in self.proc.args:
            return [self.ps]
        with contextlib.suppress(psutil.Error):
            return self.ps.children()
        return []

    def cpu(self) -> float:
        """CPU seconds of the server process, or of all its workers together. Not the opinion
        map's worker process: it loads numpy and scikit-learn once the room has enough voters
        (a second of CPU, once), which is no cost of a vote; benchmarks/map_live.py measures
        the map."""
        return cpu_seconds(self._workers())

    def rss(self) -> int:
        """Resident memory of the server process, or of all its workers together (not the
        opinion map's worker, which holds numpy and scikit-learn whatever the phones)."""
        total = 0
        for proc in self._workers():
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        if not self._log.closed:
            self._log.flush()
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


class Pool:
    """Worker processes holding the phones; each command goes to all of them."""

    def __init__(self, count: int, target: Callable[[Any, int], None] = phone_workers.main
                 ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        for i in range(count):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=target, args=(child, i), daemon=True,
                               name=f"phones-{i}")
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        self.ps = [psutil.Process(p.pid) for p in self.procs]
        self._threads = ThreadPoolExecutor(max_workers=count)

    def __len__(self) -> int:
        return len(self.conns)

    async def call(self, name: str, per_worker: list[dict[str, Any]],
                   timeout: float = 600) -> list[Any]:
        loop = asyncio.get_running_loop()
        for conn, kwargs in zip(self.conns, per_worker, strict=True):
            conn.send((name, kwargs))
        replies = await asyncio.wait_for(asyncio.gather(*(
            loop.run_in_executor(self._threads, conn.recv) for conn in self.conns)), timeout)
        out = []
        for status, value in replies:
            if status != "ok":
                raise RuntimeError(f"worker failed in {name}:\n{value}")
            out.append(value)
        return out

    def cpu(self) -> float:
        total = 0.0
        for p in self.ps:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("exit", {}))
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)


class Meter:
    """CPU seconds of the server, of the load generator (workers + this process), and wall time."""

    def __init__(self, server: Server, pool: Pool) -> None:
        self.server, self.pool, self.me = server, pool, psutil.Process()

    def _gen(self) -> float:
        t = self.me.cpu_times()
        return self.pool.cpu() + t.user + t.system

    def _db(self) -> float:
        return self.server.backend.cpu() if self.server.backend is not None else 0.0

    def snap(self) -> tuple[float, float, float, float]:
        return time.time(), self.server.cpu(), self._gen(), self._db()

    def since(self, snap: tuple[float, float, float, float]) -> dict[str, float]:
        wall, server, gen, db = snap
        dt = max(time.time() - wall, 1e-9)
        s, g = self.server.cpu() - server, self._gen() - gen
        out = {"wall_s": round(dt, 3), "server_cpu_s": round(s, 3),
               "server_cpu_pct": round(100 * s / dt, 1),
               "generator_cpu_s": round(g, 3), "generator_cpu_pct": round(100 * g / dt, 1)}
        if self.server.backend is not None and self.server.backend.processes():
            d = self._db() - db  # PostgreSQL's and Redis's processes
            out |= {"db_cpu_s": round(d, 3), "db_cpu_pct": round(100 * d / dt, 1)}
        return out


class Profiler:
    """py-spy record on the server for one scenario (only with --profile)."""

    def __init__(self, pid: int, out: Path | None, fmt: str, rate: int,
                 native: bool = False) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.out = out
        if out is None:
            return
        exe = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
        self.proc = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", fmt,
             # --native needs to stop the process for each sample; without it, don't
             *(["--native"] if native else ["--nonblocking"]), "-o", str(out)],
            stdout=subprocess.DEVNULL, stderr=open(f"{out}.log", "wb"),  # noqa: SIM115
            start_new_session=True)

    async def __aenter__(self) -> Profiler:
        if self.proc is not None:
            await asyncio.sleep(1.0)  # let py-spy attach
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(self.proc.wait, 60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            if self.out is not None and self.out.exists():
                print(f"  profile written to {self.out}", flush=True)
            else:
                print(f"  py-spy wrote no profile: see {self.out}.log", flush=True)


class Screen:
    """The projector: records every tally frame with its receive time."""

    def __init__(self) -> None:
        self.tallies: list[tuple[float, dict[str, Any]]] = []
        self._event = asyncio.Event()
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None

    async def start(self, url: str, cookie: str = "") -> None:
        self.ws = await connect(url, compression=None, proxy=None, ping_interval=None,
                                additional_headers={"Cookie": cookie} if cookie else None)
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                ts = time.time()
                msg = json.loads(raw)
                if msg.get("type") == "tally":
                    self.tallies.append((ts, msg))
                    self._event.set()

    async def wait_tally(self, pred: Callable[[dict[str, Any]], bool],
                         timeout: float) -> tuple[float, dict[str, Any]] | None:
        deadline = time.time() + timeout
        seen = 0
        while True:
            for ts, msg in self.tallies[seen:]:
                if pred(msg):
                    return ts, msg
            seen = len(self.tallies)
            left = deadline - time.time()
            if left <= 0:
                return None
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), left)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


# -- the benchmark ---------------------------------------------------------------------------

class PollServer:
    """A running `poll serve` with one debate, and the moderator's signed-in HTTP client."""

    def __init__(self, server: Server, http: httpx.AsyncClient, debate: dict[str, Any],
                 port: int) -> None:
        self.server, self.http, self.debate, self.port = server, http, debate, port
        self.id: str = debate["id"]
        self.post_headers = {"Accept": "application/json"}

    async def sign_in(self) -> None:
        """Sign in with the moderator link and load the moderator page, as a browser would: it
        sets the CSRF cookie (if the server uses one), which the POSTs repeat in a header."""
        r = await self.http.get(self.debate["moderator_url"])
        if r.status_code not in (302, 303) or not self.http.cookies:
            raise RuntimeError(f"moderator sign-in failed: {r.status_code} {r.text[:200]}")
        r = await self.http.get(f"/d/{self.id}/moderate")
        if r.status_code != 200:
            raise RuntimeError(f"moderator page: {r.status_code} {r.text[:200]}")
        token = self.http.cookies.get("csrftoken")
        if token:
            self.post_headers["x-csrftoken"] = token

    async def post(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        """A moderator's POST (`/d/{id}/...`); its JSON answer."""
        resp = await self.http.post(f"/d/{self.id}/{path}", data=data,
                                    headers=self.post_headers)
        if resp.status_code != 200:
            raise RuntimeError(f"POST {path} {data}: {resp.status_code} {resp.text[:300]}")
        return dict(resp.json())

    async def control(self, action: str) -> tuple[float, float, dict[str, Any]]:
        """`POST /d/{id}/control action=...`: when it was sent, how long it took, the state."""
        t0 = time.time()
        state = await self.post("control", {"action": action})
        return t0, time.time() - t0, state

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())


class Bench:
    # the entry point of the phone worker processes (voice.py brings its own)
    worker_main: Callable[[Any, int], None] = staticmethod(phone_workers.main)
    # phones of another process that vote in a burst too (map_live.py's sentinels): the
    # projector's total counts them
    extra_voters = 0

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.n = args.phones
        self.problems = Problems()
        self.pool = Pool(args.workers, type(self).worker_main)
        self.tmp = Path(tempfile.mkdtemp(prefix="poll-bench-"))
        self.statements_file = self.tmp / "statements.txt"
        self.statements_file.write_text("\n".join(STATEMENTS) + "\n", "utf-8")
        self.tag = secrets.token_hex(3)
        self.results_dir = Path(args.out).resolve().parent
        self.server_root = ROOT
        self.server_meta: dict[str, Any] = {"source": "working tree", "root": str(ROOT)}
        if args.server_ref:
            # A snapshot of one commit, so that edits in the checkout during a long series of
            # runs do not change the server under measurement.
            commit = subprocess.run(["git", "rev-parse", args.server_ref], cwd=ROOT,
                                    capture_output=True, text=True, check=True).stdout.strip()
            self.server_root = self.tmp / "server-src"
            self.server_root.mkdir()
            archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(self.server_root)], input=archive,
                           check=True)
            self.server_meta = {"source": f"git archive {args.server_ref}", "commit": commit}
        self.serve_args: list[str] = []  # more `poll serve` options (benchmarks built on this)
        self.backend = backend(getattr(args, "store", "sqlite"), self.tmp)
        self.server_workers = getattr(args, "server_workers", 1)
        self.wait_timeout = 30 + self.n / 500
        self.connect_timeout = 60 + self.n / 100

    # -- phones --------------------------------------------------------------------------------

    def _assignment(self, first_addr: int) -> list[list[tuple[int, str, str | None]]]:
        """Phone i goes to worker i % W and source address 127.0.0.(first + (i // W) % A)."""
        w, a = len(self.pool), self.args.addresses
        per: list[list[tuple[int, str, str | None]]] = [[] for _ in range(w)]
        for i in range(self.n):
            addr = f"127.0.0.{first_addr + (i // w) % a}" if a > 1 else None
            per[i % w].append((i, f"p_b{self.tag}x{i:07d}", addr))
        return per

    async def connect_phones(self, url: str, server: Server, first_addr: int) -> dict[str, Any]:
        meter = Meter(server, self.pool)
        snap = meter.snap()
        started = time.time()
        replies = await self.pool.call("connect", [
            {"url": url, "phones": phones, "concurrency": self.args.connect_concurrency,
             "timeout": self.connect_timeout} for phones in self._assignment(first_addr)
        ], timeout=self.connect_timeout + 60)
        firsts = [t for r in replies for t in r["first_state"]]
        got = [t for t in firsts if t is not None]
        errors = [e for r in replies for e in r["errors"]]
        cost = meter.since(snap)
        out = {
            "phones": self.n, "with_state": len(got),
            "seconds": round(max(got) - started, 3) if got else None,
            "per_second": round(len(got) / (max(got) - started), 1) if got else None,
            "errors": len(errors), "error_examples": errors[:5],
            "started_at": started,
            # per socket, handshake start to state frame (at most --connect-concurrency at once)
            "socket_latency": percentiles([x for r in replies for x in r.get("latencies", [])]),
            **cost,
        }
        if len(got) < self.n:
            self.problems.add(f"{server.name}: {self.n - len(got)} of {self.n} phones got no "
                              f"state after connecting (e.g. {errors[:2]})")
        return out

    async def wait_phones(self, label: str, want: dict[str, Any], t0: float) -> dict[str, Any]:
        replies = await self.pool.call(
            "wait_state", [{"want": {**want, "after": t0}, "timeout": self.wait_timeout}]
            * len(self.pool), timeout=self.wait_timeout + 60)
        times = [t for r in replies for t in r["times"]]
        expected = sum(r["expected"] for r in replies)
        got = [t - t0 for t in times if t is not None]
        if len(got) < expected or expected < self.n:
            self.problems.add(f"{label}: {expected - len(got)} of {expected} open phones "
                              f"(of {self.n}) missed the state {want}")
        return {"latencies": got, "missing": self.n - len(got)}

    async def close_phones(self, label: str) -> dict[str, Any]:
        reports = await self.pool.call("close", [{}] * len(self.pool), timeout=120)
        out = {k: sum(r[k] for r in reports) for k in ("unexpected_closes", "bad_frames",
                                                       "error_frames")}
        out["error_codes"] = sorted({c for r in reports for c in r["error_codes"]})
        if out["unexpected_closes"]:
            examples = [e for r in reports for e in r["errors"]][:3]
            self.problems.add(f"{label}: {out['unexpected_closes']} phone connections were "
                              f"closed by the server ({examples})")
        if out["error_frames"] or out["bad_frames"]:
            self.problems.add(f"{label}: {out['error_frames']} error frames "
                              f"{out['error_codes']}, {out['bad_frames']} unreadable frames")
        return out

    def profiler(self, server: Server, scenario: str) -> Profiler:
        out = None
        if self.args.profile:
            ext = {"raw": "txt", "flamegraph": "svg", "speedscope": "json"}[
                self.args.profile_format]
            out = self.results_dir / f"profile-{self.n}-{scenario}.{ext}"
        return Profiler(server.ps.pid, out, self.args.profile_format, self.args.profile_rate,
                        self.args.profile_native)

    # -- bare baseline -------------------------------------------------------------------------

    async def run_bare(self) -> dict[str, Any]:
        print(f"bare websockets server: {self.n} phones", flush=True)
        port = free_port()
        server = Server("bare", [PY, str(HERE / "bare_server.py"), "--port", str(port),
                                 "--statements", str(self.statements_file)],
                        self.tmp / "bare.log")
        result: dict[str, Any] = {}
        try:
            await self._wait_tcp(port, server)
            await asyncio.sleep(0.3)
            result["rss_idle_mb"] = mb(server.rss())
            control = await connect(f"ws://127.0.0.1:{port}/control", compression=None,
                                    proxy=None, ping_interval=None)
            result["connect"] = await self.connect_phones(
                f"ws://127.0.0.1:{port}/phone", server, first_addr=10)
            await asyncio.sleep(self.args.pause)
            result["rss_mb"] = mb(server.rss())
            result["idle"] = await self._idle(server)
            print(f"  connected in {result['connect']['seconds']} s, "
                  f"RSS {result['rss_mb']} MB", flush=True)
            meter = Meter(server, self.pool)
            pooled: list[float] = []
            per_switch = []
            snap = meter.snap()
            for k in range(self.args.switches):
                statement = 2 + k
                one = server.cpu()
                t0 = time.time()
                await control.send(json.dumps({"statement": statement, "phase": "waiting",
                                               "revealed": False}))
                done = json.loads(await control.recv())
                trigger = time.time() - t0
                got = await self.wait_phones(f"bare switch {k + 1}", {"statement": statement}, t0)
                pooled += got["latencies"]
                per_switch.append({**percentiles(got["latencies"]),
                                   "trigger_ms": round(trigger * 1000, 1),
                                   "sent": done.get("sent"),
                                   "server_cpu_ms": round((server.cpu() - one) * 1000)})
                await asyncio.sleep(self.args.pause)
            result["switch"] = self._switch_summary(pooled, per_switch, meter.since(snap))
            print(f"  switch p50 {result['switch']['p50']} ms, p99 {result['switch']['p99']} ms",
                  flush=True)
            # the same vote burst as debate-poll's: rows in SQLite, acknowledged once committed
            await asyncio.sleep(self.args.pause)
            result["vote"], acked = await self._burst(
                server, 1 + self.args.switches, result["idle"]["server_cpu_pct"], "bare: ")
            print(f"  votes {len(acked)}/{result['vote']['votes']} acked, ack p50 "
                  f"{result['vote']['p50']} ms, p99 {result['vote']['p99']} ms", flush=True)
            await control.close()
            result["close"] = await self.close_phones("bare")
            result["rss_end_mb"] = mb(server.rss())
        finally:
            if not server.alive():
                self.problems.add(f"bare server exited early:\n{server.tail()}")
            server.stop()
        return result

    async def _idle(self, server: Server) -> dict[str, float]:
        """Server CPU with every phone connected and nothing happening (keepalive pings...)."""
        meter = Meter(server, self.pool)
        snap = meter.snap()
        await asyncio.sleep(max(1.0, 2 * self.args.pause))
        return meter.since(snap)

    def _switch_summary(self, pooled: list[float], per_switch: list[dict[str, Any]],
                        cost: dict[str, float]) -> dict[str, Any]:
        switches = max(1, len(per_switch))
        p99s = sorted(x["p99"] for x in per_switch if x["p99"] is not None)
        return {**percentiles(pooled), "per_switch": per_switch, **cost,
                # robust to one stalled switch: the median over the switches of each one's p99
                "p99_median_of_switches": p99s[len(p99s) // 2] if p99s else None,
                "server_cpu_s_per_switch": round(cost["server_cpu_s"] / switches, 4),
                "server_cpu_us_per_phone": round(cost["server_cpu_s"] / switches / self.n * 1e6,
                                                 1),
                # only from each switch's trigger until every phone had it: without the pauses
                # between switches, whose idle CPU (keepalive, timers) is no cost of a switch
                "server_cpu_us_per_phone_in_switch": round(
                    sum(x.get("server_cpu_ms", 0) for x in per_switch) / switches / self.n * 1e3,
                    1),
                **({"db_cpu_us_per_phone": round(cost["db_cpu_s"] / switches / self.n * 1e6, 1)}
                   if "db_cpu_s" in cost else {})}

    async def _wait_tcp(self, port: int, server: Server, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not server.alive():
                raise RuntimeError(f"{server.name} exited:\n{server.tail()}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{server.name} did not listen on {port}:\n{server.tail()}")

    # -- debate-poll ---------------------------------------------------------------------------

    def start_poll(self, probe: Path | None = None) -> PollServer:
        """`poll new` (a fresh SQLite file) and `poll serve` on a free port; not yet healthy."""
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        db = self.backend.db()
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLL_")}
        env["PYTHONUNBUFFERED"] = "1"
        if self.server_root != ROOT:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(self.server_root), *filter(None, [env.get("PYTHONPATH")])])
        made = subprocess.run(
            [PY, "-m", "poll", "new", "Bench", "--statements", str(self.statements_file),
             "--db", str(db), "--json", "--public-url", base, "--lang", "en"],
            capture_output=True, text=True, cwd=self.server_root, env=env, timeout=60)
        if made.returncode != 0:
            raise RuntimeError(f"poll new failed: {made.stderr}")
        debate = json.loads(made.stdout)
        launcher = [PY, "-m", "poll"]
        if probe is not None:
            launcher = [PY, str(HERE / "gc_probe.py"), str(probe)]
        server = Server("debate-poll", [
            *launcher, "serve", "--host", "127.0.0.1", "--port", str(port),
            "--db", str(db), "--public-url", base, *self.backend.serve_args(),
            *(["--workers", str(self.server_workers)] if self.server_workers > 1 else []),
            *self.serve_args], self.tmp / "poll.log",
            env=env, cwd=self.server_root, backend=self.backend)
        http = httpx.AsyncClient(base_url=base, trust_env=False, timeout=60,
                                 headers={"Origin": base, "Referer": f"{base}/"})
        return PollServer(server, http, debate, port)

    async def stop_poll(self, poll: PollServer) -> None:
        """Stop the server; a server that died or logged errors is a problem of the run."""
        server = poll.server
        await poll.http.aclose()
        if not server.alive():
            self.problems.add(f"debate-poll exited early:\n{server.tail()}")
        server.stop()
        log = server.tail(200)
        errors = [line for line in log.splitlines()
                  if "Traceback" in line or " ERROR" in line or "Exception" in line]
        if errors:
            self.problems.add(f"server log shows errors, e.g. {errors[:3]} "
                              f"(log: {server.log_path})")

    async def run_poll(self) -> dict[str, Any]:
        print(f"debate-poll: {self.n} phones", flush=True)
        probe = Path(self.args.probe).resolve() if self.args.probe else None
        if probe is not None:
            shutil.rmtree(probe, ignore_errors=True)
        poll = self.start_poll(probe)
        server, http, debate, port = poll.server, poll.http, poll.debate, poll.port
        debate_id = debate["id"]
        statements = [s["id"] for s in debate["statements"]]
        result: dict[str, Any] = {"debate": debate_id, "experiment": {
            "probe": bool(probe), "freeze": bool(probe and self.args.probe_freeze)}}
        windows: dict[str, list[float]] = {}
        screen = Screen()
        control = poll.control
        try:
            await self._wait_health(http, server)
            await poll.sign_in()
            # The projector as a browser opens it: the projector link (with its key, where the
            # server has one) gives the session the screen socket needs.
            await http.get(debate["screen_url"])
            await screen.start(f"ws://127.0.0.1:{port}/ws/{debate_id}/screen", poll.cookie())
            phone_path = await self._phone_socket_path(http, debate)
            await asyncio.sleep(0.3)
            result["rss_idle_mb"] = mb(server.rss())
            await self._census(server, probe)

            # 1. connect
            async with self.profiler(server, "connect"):
                windows["connect"] = [time.time()]
                result["connect"] = await self.connect_phones(
                    f"ws://127.0.0.1:{port}{phone_path}", server, first_addr=40)
            seen = await screen.wait_tally(lambda m: m.get("connected") == self.n, 10)
            result["connect"]["screen_sees_all_s"] = (
                None if seen is None else round(seen[0] - result["connect"]["started_at"], 3))
            if seen is None:
                last = screen.tallies[-1][1].get("connected") if screen.tallies else None
                self.problems.add(f"the projector never counted {self.n} connected phones "
                                  f"(last: {last})")
            windows["connect"].append(time.time())
            await asyncio.sleep(self.args.pause)
            result["rss_mb"] = mb(server.rss())
            async with self.profiler(server, "idle"):
                result["idle"] = await self._idle(server)
            print(f"  connected in {result['connect']['seconds']} s, "
                  f"RSS {result['rss_mb']} MB", flush=True)
            await self._census(server, probe)
            if probe is not None and self.args.probe_freeze:
                server.proc.send_signal(signal.SIGUSR2)
                await asyncio.sleep(3)
                result["gc_frozen_after_connect"] = True

            # 2. statement switches
            meter = Meter(server, self.pool)
            pooled: list[float] = []
            per_switch = []
            current = statements[0]
            async with self.profiler(server, "switch"):
                snap = meter.snap()
                windows["switch"] = [time.time()]
                for k in range(self.args.switches):
                    one = server.cpu()
                    t0, took, state = await control("next")
                    current = state["statement"]["id"]
                    got = await self.wait_phones(f"switch {k + 1}", {"statement": current}, t0)
                    pooled += got["latencies"]
                    per_switch.append({**percentiles(got["latencies"]),
                                       "post_ms": round(took * 1000, 1),
                                       "server_cpu_ms": round((server.cpu() - one) * 1000)})
                    await asyncio.sleep(self.args.pause)
                windows["switch"].append(time.time())
                result["switch"] = self._switch_summary(pooled, per_switch, meter.since(snap))
            print(f"  switch p50 {result['switch']['p50']} ms, p99 {result['switch']['p99']} ms",
                  flush=True)

            # 3. open voting, vote burst
            t0, took, _ = await control("open")
            got = await self.wait_phones("open", {"statement": current, "phase": "open"}, t0)
            result["open"] = {**percentiles(got["latencies"]), "post_ms": round(took * 1000, 1)}
            await asyncio.sleep(self.args.pause)
            windows["vote"] = [time.time()]
            result["vote"] = await self._vote_burst(server, screen, current,
                                                    result["idle"]["server_cpu_pct"])
            windows["vote"].append(time.time())
            await asyncio.sleep(self.args.pause)

            # 4. close, reveal
            t0, took, _ = await control("close")
            got = await self.wait_phones("close", {"statement": current, "phase": "closed"}, t0)
            result["close"] = {**percentiles(got["latencies"]), "post_ms": round(took * 1000, 1)}
            await asyncio.sleep(self.args.pause)
            snap = meter.snap()
            windows["reveal"] = [time.time()]
            t0, took, state = await control("reveal")
            got = await self.wait_phones("reveal", {"statement": current, "revealed": True}, t0)
            result["reveal"] = {**percentiles(got["latencies"]), "post_ms": round(took * 1000, 1),
                                **meter.since(snap)}
            windows["reveal"].append(time.time())
            results = state.get("results") or {}
            if results.get("total") != result["vote"]["acked"]:
                self.problems.add(f"revealed results count {results.get('total')} voters, "
                                  f"{result['vote']['acked']} votes were acknowledged")
            print(f"  reveal p50 {result['reveal']['p50']} ms, p99 {result['reveal']['p99']} ms",
                  flush=True)

            # 5. what was stored
            acked = result["vote"].pop("_acked")
            result["vote"].pop("_latencies")
            result["export"] = await self._check_export(http, debate_id, current, acked)
            result["rss_end_mb"] = mb(server.rss())
            result["phones_end"] = await self.close_phones("debate-poll")
            await screen.close()
        finally:
            await self.stop_poll(poll)
        if probe is not None:
            result["probe"] = probe_summary(probe, windows, self.n)
        return result

    async def _census(self, server: Server, probe: Path | None) -> None:
        """Ask the probe for an object census (only with --probe) and wait until it is written."""
        if probe is None:
            return
        path = probe / "census.jsonl"
        before = path.read_text().count("\n") if path.exists() else 0
        server.proc.send_signal(signal.SIGUSR1)
        deadline = time.time() + 60
        while time.time() < deadline:
            await asyncio.sleep(0.2)
            if path.exists() and path.read_text().count("\n") > before:
                break
        await asyncio.sleep(self.args.pause)

    async def _wait_health(self, http: httpx.AsyncClient, server: Server) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if not server.alive():
                raise RuntimeError(f"poll serve exited:\n{server.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"poll serve not healthy:\n{server.tail()}")

    @staticmethod
    async def _phone_socket_path(http: httpx.AsyncClient, debate: dict[str, Any]) -> str:
        """The socket path the vote page gives its script (`/j/CODE/ws`; `/ws/ID/phone` in
        releases before phones connected by join code), so any `--server-ref` can be measured."""
        page = await http.get(f"/j/{debate['join_code']}")
        found = re.search(r'"ws_path":\s*"([^"]+)"', page.text)
        if found is None:
            raise RuntimeError(f"no socket path on the vote page ({page.status_code})")
        return found.group(1)

    async def _vote_burst(self, server: Server, screen: Screen, statement: int,
                          idle_pct: float) -> dict[str, Any]:
        out, acked = await self._burst(server, statement, idle_pct, "")
        voters = len({v["participant"] for v in acked}) + self.extra_voters
        seen = await screen.wait_tally(
            lambda m: m.get("statement") == statement and m.get("total") == voters, 15)
        last_ack = max((v["ack"] for v in acked), default=None)
        lag = None if seen is None or last_ack is None else round((seen[0] - last_ack) * 1000, 1)
        out["projector_lag_ms"] = lag
        if seen is None:
            last = screen.tallies[-1][1].get("total") if screen.tallies else None
            self.problems.add(f"the projector never showed total {voters} (last: {last})")
        print(f"  votes {len(acked)}/{out['votes']} acked, ack p50 {out['p50']} ms, "
              f"p99 {out['p99']} ms, projector lag {lag} ms", flush=True)
        out["_acked"] = [(v["participant"], v["choice"]) for v in acked]
        out["_latencies"] = [v["latency"] for v in acked]  # seconds, for pooling bursts
        return out

    async def _burst(self, server: Server, statement: int, idle_pct: float,
                     who: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Every phone votes once, spread evenly over the window; what it cost the server and
        how long each vote waited for its acknowledgement (and the acknowledged votes)."""
        window = self.args.window if self.args.window is not None else max(
            1.0, 10.0 * self.n / 10_000)
        meter = Meter(server, self.pool)
        async with self.profiler(server, f"{who}vote"):
            snap = meter.snap()
            start_at = time.time() + 0.3
            replies = await self.pool.call("vote", [
                {"statement": statement, "start_at": start_at, "window": window,
                 "total": self.n, "timeout": window + 30 + self.n / 200}] * len(self.pool),
                timeout=window + 120 + self.n / 100)
            cost = meter.since(snap)
        votes = [v for r in replies for v in r["votes"]]
        acked = [v for v in votes if v["latency"] is not None]
        refused = [v for v in votes if v["errors"]]
        sent = [v["sent"] for v in votes if v["sent"] is not None]
        last_ack = max((v["ack"] for v in acked), default=None)
        out = {
            "window_s": window,
            "votes": len(votes), "acked": len(acked), "lost": len(votes) - len(acked),
            "refused": len(refused),
            "refusal_codes": sorted({c for v in refused for c in v["errors"]}),
            "send_spread_s": round(max(sent) - min(sent), 3) if sent else None,
            "ack_per_second": round(len(acked) / (last_ack - min(sent)), 1)
            if acked and sent and last_ack > min(sent) else None,
            **percentiles([v["latency"] for v in acked]),
            "server_cpu_us_per_vote": round(cost["server_cpu_s"] / max(1, len(acked)) * 1e6, 1),
            "server_cpu_us_per_vote_net": round(
                (cost["server_cpu_s"] - idle_pct / 100 * cost["wall_s"]) / max(1, len(acked))
                * 1e6, 1),
            **cost,
        }
        if "db_cpu_s" in cost:  # PostgreSQL's and Redis's share, beside the app's
            out["db_cpu_us_per_vote"] = round(cost["db_cpu_s"] / max(1, len(acked)) * 1e6, 1)
        if out["lost"]:
            self.problems.add(f"{who}{out['lost']} of {len(votes)} votes got no ack "
                              f"(refused: {len(refused)} {out['refusal_codes']})")
        if len(votes) < self.n:
            self.problems.add(f"{who}only {len(votes)} of {self.n} phones could vote")
        return out, acked

    async def _check_export(self, http: httpx.AsyncClient, debate_id: str, statement: int,
                            acked: list[tuple[str, str]]) -> dict[str, Any]:
        r = await http.get(f"/d/{debate_id}/export.json")
        if r.status_code != 200:
            self.problems.add(f"export.json: {r.status_code}")
            return {"ok": False}
        doc = r.json()
        rows = [(v["participant"], v["choice"]) for v in doc.get("votes", [])
                if v.get("statement_id") == statement]
        stored = set(rows)
        missing = len(set(acked) - stored)
        extra = len(stored - set(acked))
        duplicates = len(rows) - len(stored)
        ok = missing == 0 and extra == 0 and duplicates == 0
        if not ok:
            self.problems.add(f"stored votes differ from acknowledged ones: {missing} acked but "
                              f"not stored, {extra} stored but not acked, {duplicates} duplicates")
        return {"ok": ok, "stored": len(rows), "acked": len(acked), "missing": missing,
                "extra": extra, "duplicates": duplicates}

    # -- the whole run ---------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """What was run, where, on which server code (the JSON's `meta`)."""
        return {"phones": self.n, "workers": len(self.pool),
                "store": self.backend.name, "server_workers": self.server_workers,
                "source_addresses": self.args.addresses,
                "switches": self.args.switches, "quick": self.args.quick,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "load_before": [round(x, 2) for x in os.getloadavg()],
                         "mem_gb": round(psutil.virtual_memory().total / 2**30, 1)},
                "versions": _versions(),
                "git": git_describe(self.server_root),
                "server": self.server_meta}

    async def run(self) -> dict[str, Any]:
        began = time.time()
        out: dict[str, Any] = {"meta": self.meta()}
        if not self.args.skip_bare:
            out["bare"] = await self.run_bare()
            await asyncio.sleep(self.args.pause)
        out["poll"] = await self.run_poll()
        out["meta"]["seconds"] = round(time.time() - began, 1)
        out["meta"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
        out["ratios"] = ratios(out)
        out["goals"] = goals(out)
        out["problems"] = list(self.problems)
        out["ok"] = not self.problems
        return out

    def close(self) -> None:
        self.pool.close()
        self.backend.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def probe_summary(probe: Path, windows: dict[str, list[float]], phones: int) -> dict[str, Any]:
    """GC pauses per scenario and the objects one connection adds (from gc_probe.py's files)."""
    out: dict[str, Any] = {"dir": str(probe)}
    try:
        gc_data = json.loads((probe / "gc.json").read_text("utf-8"))
    except (OSError, ValueError):
        gc_data = {"events": []}
    events = gc_data["events"]
    pauses: dict[str, Any] = {}
    for name, (start, end) in ((k, v) for k, v in windows.items() if len(v) == 2):
        inside = [e for e in events if start <= e[0] <= end + 0.5]
        by_gen = {}
        for gen in (0, 1, 2):
            d = [e[2] for e in inside if e[1] == gen]
            by_gen[f"gen{gen}"] = {"count": len(d), "total_ms": round(sum(d) * 1000, 1),
                                   "max_ms": round(max(d, default=0) * 1000, 1)}
        pauses[name] = {"window_s": round(end - start, 2), **by_gen}
    out["gc_pauses"] = pauses
    out["thresholds"] = gc_data.get("thresholds")
    try:
        lines = (probe / "census.jsonl").read_text("utf-8").splitlines()
        idle, loaded = json.loads(lines[0]), json.loads(lines[1])
    except (OSError, ValueError, IndexError):
        return out
    per_phone = []
    for name, (count, size) in loaded["types"].items():
        c0, s0 = idle["types"].get(name, [0, 0])
        per_phone.append((name, round((count - c0) / phones, 2), round((size - s0) / phones)))
    per_phone.sort(key=lambda x: -x[2])
    out["objects_idle"] = idle["objects"]
    out["objects_loaded"] = loaded["objects"]
    out["objects_per_phone"] = round((loaded["objects"] - idle["objects"]) / phones, 1)
    out["per_phone_by_type"] = [
        {"type": n, "objects": c, "shallow_bytes": b} for n, c, b in per_phone[:25]]
    return out


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for name in ("websockets", "uvicorn", "starlette", "aiosqlite"):
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out


def _ratio(a: Any, b: Any) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return round(a / b, 2)
    return None


def ratios(out: dict[str, Any]) -> dict[str, Any]:
    bare, ours = out.get("bare"), out["poll"]
    if not bare:
        return {}
    return {
        "connect_time": _ratio(ours["connect"]["seconds"], bare["connect"]["seconds"]),
        "rss": _ratio(ours["rss_mb"], bare["rss_mb"]),
        "rss_per_phone": _ratio(ours["rss_mb"] - ours["rss_idle_mb"],
                                bare["rss_mb"] - bare["rss_idle_mb"]),
        "switch_p50": _ratio(ours["switch"]["p50"], bare["switch"]["p50"]),
        "switch_p99": _ratio(ours["switch"]["p99"], bare["switch"]["p99"]),
        "switch_p99_median_of_switches": _ratio(ours["switch"]["p99_median_of_switches"],
                                                bare["switch"]["p99_median_of_switches"]),
        "switch_server_cpu": _ratio(ours["switch"]["server_cpu_s"],
                                    bare["switch"]["server_cpu_s"]),
        "switch_cpu_per_phone": _ratio(ours["switch"]["server_cpu_us_per_phone"],
                                       bare["switch"]["server_cpu_us_per_phone"]),
        "switch_cpu_per_phone_in_switch": _ratio(
            ours["switch"].get("server_cpu_us_per_phone_in_switch"),
            bare["switch"].get("server_cpu_us_per_phone_in_switch")),
        "vote_cpu_per_vote": _ratio(ours["vote"]["server_cpu_us_per_vote"],
                                    bare.get("vote", {}).get("server_cpu_us_per_vote")),
        "vote_p99": _ratio(ours["vote"]["p99"], bare.get("vote", {}).get("p99")),
    }


def goals(out: dict[str, Any]) -> list[dict[str, Any]]:
    r, v = out["ratios"], out["poll"]["vote"]
    rows = [
        ("server memory <= 1.5x bare", r.get("rss"), lambda x: x <= 1.5, "x"),
        ("switch p99 <= 1.25x bare", r.get("switch_p99"), lambda x: x <= 1.25, "x"),
        ("CPU per phone per switch <= 1.2x bare", r.get("switch_cpu_per_phone"),
         lambda x: x <= 1.2, "x"),
        ("0 votes lost", v["lost"], lambda x: x == 0, ""),
        ("vote->ack p99 <= 200 ms", v["p99"], lambda x: x <= 200, " ms"),
        ("projector lag <= 300 ms", v["projector_lag_ms"], lambda x: x <= 300, " ms"),
    ]
    return [{"goal": g, "value": val, "met": None if val is None else bool(test(val))}
            for g, val, test, _unit in rows]


# -- report ----------------------------------------------------------------------------------

def report(out: dict[str, Any]) -> str:
    m, ours, bare, rat = out["meta"], out["poll"], out.get("bare") or {}, out["ratios"]
    workers = f", {m['server_workers']} workers" if m.get("server_workers", 1) > 1 else ""
    lines = [
        f"debate-poll load benchmark: {m['phones']} phones, {m['workers']} client processes, "
        f"{m['source_addresses']} source addresses, {m['switches']} switches "
        f"(server: {server_label(m)}, {m.get('store', 'sqlite')}"
        f"{workers}, "
        f"load {m['host']['load_before'][0]} -> {m['load_after'][0]}, {m['seconds']} s)",
        "",
        f"{'':38}{'debate-poll':>14}{'bare':>12}{'ratio':>8}",
    ]

    def row(label: str, a: Any, b: Any = None, ratio: Any = None, unit: str = "") -> None:
        def f(x: Any) -> str:
            return "-" if x is None else f"{x}{unit}"
        lines.append(f"{label:38}{f(a):>14}{f(b):>12}{'' if ratio is None else ratio:>8}")

    c, bc = ours["connect"], bare.get("connect", {})
    row("connect: all phones have state", c["seconds"], bc.get("seconds"),
        rat.get("connect_time"), " s")
    row("  phones per second", c["per_second"], bc.get("per_second"))
    row("  server CPU during connect", c["server_cpu_s"], bc.get("server_cpu_s"), None, " s")
    row("server RSS idle", ours["rss_idle_mb"], bare.get("rss_idle_mb"), None, " MB")
    row("server RSS after connect", ours["rss_mb"], bare.get("rss_mb"), rat.get("rss"), " MB")
    row("server CPU idle, all connected", ours["idle"]["server_cpu_pct"],
        bare.get("idle", {}).get("server_cpu_pct"), None, " %")
    s, bs = ours["switch"], bare.get("switch", {})
    for p in ("p50", "p95", "p99", "max"):
        row(f"switch latency {p}", s[p], bs.get(p), rat.get(f"switch_{p}"), " ms")
    row("  median of the switches' p99", s["p99_median_of_switches"],
        bs.get("p99_median_of_switches"), rat.get("switch_p99_median_of_switches"), " ms")
    row("  server CPU per switch", s["server_cpu_s_per_switch"],
        bs.get("server_cpu_s_per_switch"), rat.get("switch_server_cpu"), " s")
    row("  server CPU per phone per switch", s["server_cpu_us_per_phone"],
        bs.get("server_cpu_us_per_phone"), rat.get("switch_cpu_per_phone"), " us")
    row("  ... only during the switches", s.get("server_cpu_us_per_phone_in_switch"),
        bs.get("server_cpu_us_per_phone_in_switch"), rat.get("switch_cpu_per_phone_in_switch"),
        " us")
    if "db_cpu_us_per_phone" in s:
        row("  PostgreSQL + Redis CPU per phone per switch", s["db_cpu_us_per_phone"],
            unit=" us")
    row("  POST /control round trip p50",
        sorted(x["post_ms"] for x in s["per_switch"])[len(s["per_switch"]) // 2], None, None,
        " ms")
    for name in ("open", "close", "reveal"):
        x = ours[name]
        row(f"{name} latency p50 / p99", f"{x['p50']}/{x['p99']}", None, None, " ms")
    v, bv = ours["vote"], bare.get("vote", {})
    lines.append("")
    lines.append(f"vote burst: {v['votes']} votes over {v['window_s']} s "
                 f"(sent over {v['send_spread_s']} s; bare: the same burst, rows in SQLite)")
    row("  acked / lost / refused", f"{v['acked']}/{v['lost']}/{v['refused']}",
        f"{bv['acked']}/{bv['lost']}/{bv['refused']}" if bv else None)
    for p in ("p50", "p95", "p99", "max"):
        row(f"  vote->ack {p}", v[p], bv.get(p), rat.get("vote_p99") if p == "p99" else None,
            " ms")
    row("  projector lag after last ack", v["projector_lag_ms"], unit=" ms")
    row("  acks per second", v["ack_per_second"], bv.get("ack_per_second"))
    row("  server CPU (share of one core)", v["server_cpu_pct"], bv.get("server_cpu_pct"),
        None, " %")
    row("  server CPU per vote", v["server_cpu_us_per_vote"], bv.get("server_cpu_us_per_vote"),
        rat.get("vote_cpu_per_vote"), " us")
    row("  ... less the idle CPU", v["server_cpu_us_per_vote_net"],
        bv.get("server_cpu_us_per_vote_net"), None, " us")
    if "db_cpu_us_per_vote" in v:
        row("  PostgreSQL + Redis CPU per vote", v["db_cpu_us_per_vote"], unit=" us")
    row("  generator CPU (share of one core)", v["generator_cpu_pct"], unit=" %")
    e = ours["export"]
    row("  stored votes = acked votes", "yes" if e.get("ok") else "NO")
    lines.append("")
    return "\n".join(lines + verdict(out, width=32))


def verdict(out: dict[str, Any], width: int) -> list[str]:
    """The closing lines of a report: each goal met or not, then the functional problems."""
    lines = []
    for g in out["goals"]:
        state = {True: "met", False: "NOT met", None: "n/a"}[g["met"]]
        lines.append(f"goal: {g['goal']:{width}} {g['value']!s:>10}   {state}")
    lines.append("")
    if out["problems"]:
        lines.append(f"FUNCTIONAL PROBLEMS ({len(out['problems'])}):")
        lines += [f"  - {p}" for p in out["problems"]]
    else:
        lines.append("no functional problems")
    return lines


def server_label(meta: dict[str, Any]) -> str:
    server = meta.get("server") or {}
    if server.get("commit"):
        return f"git archive {server['commit'][:7]}"
    git = meta["git"]
    return f"working tree at {git['commit']}{' with edits' if git['dirty'] else ''}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phones", type=int, help="number of phones (default 10000; --quick: 300)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: a few hundred phones, short windows, no timing goals")
    p.add_argument("--out", default=str(HERE / "results" / "latest.json"),
                   help="JSON results file (default: benchmarks/results/latest.json)")
    p.add_argument("--workers", type=int, help="client processes (default 2, or 1 per 5,000)")
    p.add_argument("--addresses", type=int,
                   help="source addresses 127.0.0.x for the phones (default 1 per 1,000, min 2, "
                        "max 25): at a venue every phone has its own address, and the server "
                        "limits connections and votes per address")
    p.add_argument("--switches", type=int, help="statement switches per server (default 5)")
    p.add_argument("--window", type=float,
                   help="vote burst window in seconds (default 10 s per 10,000 phones, min 1)")
    p.add_argument("--pause", type=float, help="seconds of quiet between scenarios (default 1)")
    p.add_argument("--connect-concurrency", type=int, default=200,
                   help="handshakes in flight per client process (default 200)")
    p.add_argument("--skip-bare", action="store_true", help="do not run the bare baseline")
    p.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite",
                   help="postgres: the server on a throwaway PostgreSQL cluster with a "
                        "redis-server for its pub/sub (issue 15); their CPU is reported beside "
                        "the server's")
    p.add_argument("--server-workers", type=int, default=1, metavar="N",
                   help="`poll serve --workers N` (needs --store postgres)")
    p.add_argument("--server-ref", metavar="REF",
                   help="run the server from `git archive REF` (e.g. HEAD) instead of the "
                        "working tree, so edits made meanwhile do not change what is measured")
    p.add_argument("--profile", action="store_true",
                   help="py-spy record the server while connecting, during the switches and during "
                        "the vote burst "
                        "(files beside --out)")
    p.add_argument("--profile-format", choices=("raw", "flamegraph", "speedscope"),
                   default="raw")
    p.add_argument("--profile-rate", type=int, default=100)
    p.add_argument("--profile-native", action="store_true",
                   help="py-spy --native: also C frames (shows time in the garbage collector)")
    p.add_argument("--probe", metavar="DIR",
                   help="run the server under benchmarks/gc_probe.py: GC pauses per scenario "
                        "and an object census per phone, written to DIR and into the JSON")
    p.add_argument("--probe-freeze", action="store_true",
                   help="experiment (with --probe): gc.freeze() in the server once the phones "
                        "are connected, to show what full collections cost")
    args = p.parse_args(argv)
    if args.phones is None:
        args.phones = 300 if args.quick else 10_000
    if args.workers is None:
        args.workers = max(2, math.ceil(args.phones / 5000))
    if args.addresses is None:
        args.addresses = max(2, math.ceil(args.phones / 1000))
    args.addresses = min(args.addresses, 25)
    if args.switches is None:
        args.switches = 3 if args.quick else 5
    args.switches = max(1, min(args.switches, len(STATEMENTS) - 2))
    if args.pause is None:
        args.pause = 0.3 if args.quick else 1.0
    return args


def run_bench(bench: Any, out: str, describe: Any) -> int:
    """Run a benchmark (`bench.run()`, then `bench.close()`), print `describe(results)`, write
    the results as JSON to `out`; the exit code says whether every functional check held."""
    phone_workers.raise_nofile_limit()  # the servers we start inherit it
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = asyncio.run(bench.run())
    except KeyboardInterrupt:
        return 130
    finally:
        bench.close()
    print()
    print(describe(results))
    out_path.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"\nresults written to {out_path}")
    return 0 if results["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_bench(Bench(args), args.out, report)


if __name__ == "__main__":
    sys.exit(main())
