"""The results: markdown and JSON, and the targets they are held to."""
from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any

from bench.load import ATTACK_RATE_PER_KIND, ENDPOINTS, SLOW_CLIENTS
from support.processes import REPO

# Cloudron's default when the manifest sets no memoryLimit.
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024


def manifest_memory_limit() -> int:
    manifest = REPO / "CloudronManifest.json"
    if manifest.exists():
        return int(json.loads(manifest.read_text()).get("memoryLimit", DEFAULT_MEMORY_LIMIT))
    return DEFAULT_MEMORY_LIMIT


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cores": os.cpu_count() or 1,
        "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name")), platform.machine()),
        "memory": mb(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


BURST_TITLES = {"app": "straight at gunicorn",
                "proxy": f"with {SLOW_CLIENTS} slow clients, through a Cloudron-like nginx proxy"}


def mb(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


def fmt(value: float | None, spec: str = ".0f") -> str:
    return "n/a" if value is None else format(value, spec)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {report['date']}; machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, "
        f"Linux {m['kernel']}, Python {m['python']}.",
        f"- Command: `{report['command']}`",
        (f"- Servers, all on loopback: this app and {report['automx2']} (SQLite, seeded with the same domain "
         "and servers), both under gunicorn with this repository's `gunicorn.conf.py` "
         if report["automx2"] != "n/a" else "- Servers, all on loopback: this app (smoke run), under gunicorn with "
         "this repository's `gunicorn.conf.py` ")
        + f"({', '.join(f'{k}={v}' for k, v in report['gunicorn'].items())}); "
        "nginx serving a static copy of the autoconfig document as the ceiling.",
        f"- Load: wrk, {report['connections']} connections, {report['seconds']} s per run, "
        f"{report['rounds']} interleaved rounds (app, automx2, nginx per endpoint). "
        f"Whole run: {report['elapsed_seconds']:.0f} s.",
        "",
        "## Throughput, latency, CPU (medians over the rounds)",
        "",
        "| Endpoint | Server | req/s | p50 ms | p99 ms | CPU ms/req | errors | app/automx2 per round | median ratio |",
        "|---|---|--:|--:|--:|--:|--:|---|--:|",
    ]
    for endpoint in ENDPOINTS:
        per_server = report["load"][endpoint.key]
        for name in ("app", "automx2", "nginx"):
            entry = per_server.get(name)
            if entry is None:
                continue
            ratio_cells = ["", ""]
            if name == "app" and "ratio_median" in per_server:
                ratio_cells = [" / ".join(f"{r:.1f}x" for r in per_server["ratio_per_round"]),
                               f"**{per_server['ratio_median']:.1f}x**"]
            if "n/a" in entry:
                lines.append(f"| {endpoint.title} | {name} | n/a ({entry['n/a']}) | | | | | | |")
                continue
            med = entry["median"]
            lines.append(f"| {endpoint.title} | {name} | {med['rps']:.0f} | {med['p50_ms']:.1f} | "
                         f"{med['p99_ms']:.1f} | {med['cpu_ms_per_request']:.3f} | {entry['errors']} | "
                         f"{ratio_cells[0]} | {ratio_cells[1]} |")
    soak_runs = report.get("soak", {}).get("runs", {})
    if soak_runs:
        lines += ["", f"## Soak: {report['connections']} connections, {report['soak_seconds']} s per endpoint (app)",
                  "", "| Endpoint | requests | req/s | p99 ms | socket errors | non-2xx |", "|---|--:|--:|--:|--:|--:|"]
        for endpoint in ENDPOINTS:
            run = soak_runs[endpoint.key]
            lines.append(f"| {endpoint.title} | {run['requests']} | {run['rps']:.0f} | {run['p99_ms']:.1f} | "
                         f"{run['socket_errors']} | {run['non_2xx']} |")
    mem = report["memory"]
    lines += ["", "## Memory and start", "",
              "| | app | automx2 |", "|---|--:|--:|",
              f"| PSS at idle (master + workers) | {mb(mem['app_idle_pss'])} | "
              f"{mb(mem['automx2_idle_pss']) if mem.get('automx2_idle_pss') else 'n/a'} |",
              f"| PSS peak under load | {mb(mem['app_load_pss'])} | "
              f"{mb(mem['automx2_load_pss']) if mem.get('automx2_load_pss') else 'n/a'} |",
              f"| Headroom under `memoryLimit` {mb(mem['memory_limit'])} | "
              f"{100 * (1 - mem['app_load_pss'] / mem['memory_limit']):.0f}% | |",
              f"| Start to first 200 on /healthz (median of {len(report['start_seconds'])}) | "
              f"{statistics.median(report['start_seconds']):.2f} s | |"]
    for bad in report["malicious"]:
        lines += ["", f"## Malicious burst next to valid load, {BURST_TITLES[bad['target']]}", "",
                  f"Valid load: wrk, {bad['valid_connections']} connections, autoconfig with address. "
                  f"Bad requests: {ATTACK_RATE_PER_KIND}/s of each kind below.", "",
                  "| | valid p50 ms | valid p99 ms | valid req/s | valid errors |", "|---|--:|--:|--:|--:|"]
        for label, run in (("alone", bad["baseline"]), ("during the burst", bad["under_attack"])):
            lines.append(f"| {label} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {run['rps']:.0f} | "
                         f"{run['socket_errors'] + run['non_2xx']} |")
        lines.append(f"| ratio | {bad['p50_ratio']:.2f}x | {bad['p99_ratio']:.2f}x | | |")
        lines += ["", "| Bad request kind | sent | answers (status: count) | median time to answer ms |",
                  "|---|--:|---|--:|"]
        for kind, entry in bad["attack"]["kinds"].items():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(entry["statuses"].items()))
            lines.append(f"| {kind} | {entry['sent']} | {statuses} | {fmt(entry['median_ms'], '.1f')} |")
        lines += ["", f"5xx answers to bad requests: {bad['attack']['totals']['5xx']}; app healthy afterwards: "
                  f"{'yes' if bad['healthy_after'] else 'NO'}."]
    lines += ["", "## Targets", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in report["targets"]]
    return "\n".join(lines) + "\n"


def targets(report: dict[str, Any]) -> list[tuple[str, bool]]:
    out = []
    load = report["load"]
    for endpoint in ENDPOINTS:
        per_server = load[endpoint.key]
        if "ratio_median" in per_server:
            out.append((f"{endpoint.title}: throughput {per_server['ratio_median']:.1f}x automx2 (>= 8x)",
                        per_server["ratio_median"] >= 8))
        cpu = per_server["app"]["median"]["cpu_ms_per_request"]
        out.append((f"{endpoint.title}: app CPU {cpu:.3f} ms/request (<= 0.3)", cpu <= 0.3))
    soak_runs = report.get("soak", {}).get("runs")
    if soak_runs:
        errors = sum(r["socket_errors"] + r["non_2xx"] for r in soak_runs.values())
        out.append((f"zero errors and zero 5xx at {report['connections']} connections for "
                    f"{report['soak_seconds']} s per endpoint ({errors} errors)", errors == 0))
    mem = report["memory"]
    out.append((f"idle PSS {mb(mem['app_idle_pss'])} (< 80 MB)", mem["app_idle_pss"] < 80 * 1024 * 1024))
    out.append((f"PSS under load {mb(mem['app_load_pss'])}: >= 40% headroom under {mb(mem['memory_limit'])}",
                mem["app_load_pss"] <= 0.6 * mem["memory_limit"]))
    start = statistics.median(report["start_seconds"])
    out.append((f"start to healthy {start:.2f} s (< 1.5 s)", start < 1.5))
    for bad in report["malicious"]:
        worst = max(bad["p50_ratio"], bad["p99_ratio"])
        five = bad["attack"]["totals"]["5xx"]
        out.append((f"malicious burst {BURST_TITLES[bad['target']]}: valid latency x{worst:.2f} (< 2x), "
                    f"{five} 5xx", worst < 2 and five == 0 and bad["healthy_after"]))
    return out
