#!/usr/bin/env python
"""Markdown tables from one or more `load.py` result files (as in docs/performance.md).

    python benchmarks/table.py benchmarks/results/1000.json benchmarks/results/5000.json ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def f(x: Any, unit: str = "") -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and x >= 100:
        x = round(x)
    return f"{x}{unit}"


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(p).read_text("utf-8")) for p in paths]
    print("| phones | connect: ours / bare (ratio) | RSS MB: ours / bare (ratio) "
          "| switch p50 ms: ours / bare (ratio) | switch p99 ms: ours / bare (ratio) "
          "| median of per-switch p99 ms (ratio) "
          "| server CPU per phone per switch µs: ours / bare |")
    print("| ---: | --- | --- | --- | --- | --- | --- |")
    for r in runs:
        o, b, x = r["poll"], r.get("bare") or {}, r.get("ratios") or {}
        bc, bs = b.get("connect", {}), b.get("switch", {})
        print(f"| {r['meta']['phones']:,} "
              f"| {f(o['connect']['seconds'], ' s')} / {f(bc.get('seconds'), ' s')} "
              f"({f(x.get('connect_time'))}) "
              f"| {f(o['rss_mb'])} / {f(b.get('rss_mb'))} ({f(x.get('rss'))}) "
              f"| {f(o['switch']['p50'])} / {f(bs.get('p50'))} ({f(x.get('switch_p50'))}) "
              f"| {f(o['switch']['p99'])} / {f(bs.get('p99'))} ({f(x.get('switch_p99'))}) "
              f"| {f(o['switch'].get('p99_median_of_switches'))} / "
              f"{f(bs.get('p99_median_of_switches'))} "
              f"({f(x.get('switch_p99_median_of_switches'))}) "
              f"| {f(o['switch']['server_cpu_us_per_phone'])} / "
              f"{f(bs.get('server_cpu_us_per_phone'))} |")
    print()
    print("| phones | vote window | vote→ack p50 / p95 / p99 ms | lost | stored = acked "
          "| projector lag ms | server CPU in burst | server CPU per vote µs "
          "| open / reveal p99 ms |")
    print("| ---: | --- | --- | ---: | --- | ---: | --- | ---: | --- |")
    for r in runs:
        o = r["poll"]
        v = o["vote"]
        print(f"| {r['meta']['phones']:,} | {v['window_s']} s "
              f"| {f(v['p50'])} / {f(v['p95'])} / {f(v['p99'])} | {v['lost']} "
              f"| {'yes' if o['export'].get('ok') else 'NO'} | {f(v['projector_lag_ms'])} "
              f"| {f(v['server_cpu_pct'])} % of a core | {f(v['server_cpu_us_per_vote'])} "
              f"| {f(o['open']['p99'])} / {f(o['reveal']['p99'])} |")


if __name__ == "__main__":
    main(sys.argv[1:])
