"""Side-by-side benchmark: this app against automx2, and nginx serving a
static copy of the autoconfig document as the ceiling. All on loopback.

    make bench                       # the full run (under 10 minutes on 2 cores)
    python3 -m bench --smoke         # a few seconds, this app only

It installs what it needs (wrk and nginx from Debian if missing, automx2
from PyPI into a throw-away virtualenv), starts every server with this
repository's gunicorn.conf.py, loads them with wrk in interleaved rounds,
and writes bench/results.md and bench/results.json (a smoke run writes
under bench/results/, which git ignores).

Standard library only (with support/, which is too): it runs under any
python3 from the repository root, and the processes it measures are the
only Python doing work. The parts: servers.py, load.py, report.py.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import BENCH, log
from bench.load import ENDPOINTS, SLOW_CLIENTS, burst, load_rounds, request, soak
from bench.report import machine, manifest_memory_limit, markdown, targets
from bench.servers import (
    AUTOMX2,
    app_server,
    automx2_server,
    cloudron_proxy,
    ensure_debian_packages,
    gunicorn_settings,
    static_ceiling,
)
from support.processes import REPO


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, this app only, no installs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10, help="per wrk run in a round")
    parser.add_argument("--soak-seconds", type=float, default=30, help="per endpoint, app only")
    parser.add_argument("--attack-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--no-automx2", action="store_true")
    parser.add_argument("--output", type=Path, help="results file stem (default bench/results)")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="extra gunicorn flag for experiments, e.g. --gunicorn-arg=--threads=4")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.seconds, args.soak_seconds, args.attack_seconds = 1, 1, 0, 1
        args.connections, args.starts, args.no_automx2 = 20, 1, True
    output = args.output or (BENCH / "results" / "smoke" if args.smoke else BENCH / "results")
    command = " ".join(shlex.quote(a) for a in ["python3", "-m", "bench", *sys.argv[1:]])
    if os.environ.get("MAKELEVEL") and not sys.argv[1:]:
        command = "make bench"
    started = time.monotonic()

    if not args.smoke:
        ensure_debian_packages({"wrk": "wrk", "nginx": "nginx-light"})
        subprocess.run(["make", "-s", ".venv/.installed"], cwd=REPO, check=True)
    extra = args.gunicorn_arg
    cores = os.cpu_count() or 1
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": machine(),
        "gunicorn": gunicorn_settings(extra),
        "automx2": "n/a" if args.no_automx2 else AUTOMX2,
        "rounds": args.rounds, "seconds": args.seconds, "soak_seconds": args.soak_seconds,
        "connections": args.connections,
    }
    with tempfile.TemporaryDirectory(prefix="autoconfig-bench-") as tmp:
        work = Path(tmp)
        app = app_server(work, extra)
        log(f"app: {' '.join(app.argv)}")
        starts = []
        for _ in range(args.starts):
            starts.append(app.start())
            app.stop()
        report["start_seconds"] = starts
        log(f"start to healthy: {', '.join(f'{s:.2f}' for s in starts)} s")

        servers = [app]
        other = None if args.no_automx2 else automx2_server(work, extra)
        try:
            app.start()
            time.sleep(1)
            memory = {"app_idle_pss": app.pss(), "memory_limit": manifest_memory_limit()}
            if other:
                other.start()
                time.sleep(1)
                memory["automx2_idle_pss"] = other.pss()
                servers.append(other)
            if not args.smoke:
                document = request(app.base, ENDPOINTS[0])[1]
                ceiling = static_ceiling(work, document, cores)
                if ceiling:
                    ceiling.start()
                    servers.append(ceiling)
            report["load"] = load_rounds(servers, args, work)
            if other:
                memory["automx2_load_pss"] = other.pss()
            for server in servers[1:]:
                server.stop()
            if args.soak_seconds:
                report["soak"] = soak(app, args, work)
            memory["app_load_pss"] = max(report.get("soak", {}).get("peak_pss_bytes", 0), app.pss())
            report["memory"] = memory
            # Bad requests straight at gunicorn: what the app itself refuses.
            report["malicious"] = [burst(app, app, args, work, slow_clients=0)]
            # Slow clients too, through the proxy every Cloudron app sits behind.
            proxy = None if args.smoke else cloudron_proxy(work, app, cores)
            if proxy:
                servers.append(proxy)
                proxy.start()
                report["malicious"].append(burst(proxy, app, args, work, slow_clients=SLOW_CLIENTS))
        finally:
            for server in servers:
                server.stop()
    report["targets"] = targets(report)
    report["elapsed_seconds"] = round(time.monotonic() - started, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    log(f"done in {report['elapsed_seconds']} s; wrote {output.with_suffix('.md')} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
