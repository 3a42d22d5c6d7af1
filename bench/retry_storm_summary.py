#!/usr/bin/env python3
"""Digests bench/retry-storm.sh runs and prints the Markdown table of bench/RESULTS.md.

    retry_storm_summary.py run DIR RAMPART_STDOUT   one run: writes DIR/result.json, DIR/per-second.tsv
                                                    and DIR/requests.tsv.gz (one line per client request)
    retry_storm_summary.py table OUT CONFIGS        every run under OUT: the table, one column per config

Client side: Rampart's access log, one line per request with its arrival time, duration and status (the
load generator's patience is longer than any Rampart timeout, so every request ends there). Upstream
side: the demo endpoints' own request counts (GET /_demo/stats), read at the start and end of each phase and
once a second. A phase runs from one reading to the next; the moments the knobs are being changed fall
between two phases and count in neither.
"""
import gzip
import json
import math
import os
import re
import statistics
import sys
from datetime import datetime

sys.dont_write_bytecode = True  # no bench/__pycache__ left behind by the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import cell, fmt  # noqa: E402  (bench/run.sh's table cells: median (min–max))

PHASES = ("baseline", "brownout", "recovery")
# the endpoints' counts are read at the start and end of each phase; the knobs change between two phases
BOUNDARIES = tuple(f"{p}-{edge}" for p in PHASES for edge in ("start", "end"))
RECOVERED_BELOW = 0.01  # a second counts as recovered when under 1 % of what clients got were errors
AMPLIFICATION_TARGET = 1.2  # issue 4: retries add at most 20 % for Rampart's defaults
STEADY_WITHIN = 0.2  # every whole second of the phases should see the rate ± 20 % arrive at Rampart


# ---------------------------------------------------------------- one run

def epoch_ms(timestamp):
    """RFC 3339 UTC with milliseconds, as Rampart's access log writes it, to epoch milliseconds."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000.0


def read_access_log(path, url_path):
    """The load's requests: (arrival_ms, duration_ms, status, error_code, upstream_status), by arrival."""
    requests = []
    with open(path, errors="replace") as f:
        for line in f:
            if '"rampart.access"' not in line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("logger") != "rampart.access" or r.get("path") != url_path:
                continue
            requests.append((epoch_ms(r["timestamp"]), float(r["duration_ms"]), int(r["status"]),
                             r.get("error_code"), r.get("upstream_status")))
    requests.sort()
    return requests


def read_snapshots(run_dir, endpoints):
    """Per boundary: (time_ms, total requests, {outcome: count}) over every endpoint."""
    snaps = {}
    for name in BOUNDARIES:
        with open(os.path.join(run_dir, f"stats-{name}.time")) as f:
            t = float(f.read().strip())
        total, outcomes = 0, {}
        for i in range(endpoints):
            with open(os.path.join(run_dir, f"stats-{name}-{i}.json")) as f:
                s = json.load(f)
            if "requests" not in s:
                raise SystemExit(f"{run_dir}: endpoint {i} did not answer /_demo/stats at the {name} boundary")
            total += s["requests"]
            for k, v in s.get("outcomes", {}).items():
                outcomes[k] = outcomes.get(k, 0) + v
        snaps[name] = (t, total, outcomes)
    return snaps


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1)]


def is_error(status):
    return not 200 <= status < 300


def recovery_seconds(requests, t_heal, seconds, key):
    """Seconds from the heal until every later one-second bin has under 1 % errors; None if never.

    key picks the moment a request counts at: its arrival, or its completion (what a client sees
    when). A bin without any request counts as not recovered: clients got nothing that second.
    """
    totals = [0] * seconds
    errors = [0] * seconds
    for req in requests:
        b = int((key(req) - t_heal) // 1000)
        if 0 <= b < seconds:
            totals[b] += 1
            errors[b] += is_error(req[2])
    last_bad = -1
    for b in range(seconds):
        if totals[b] == 0 or errors[b] / totals[b] >= RECOVERED_BELOW:
            last_bad = b
    if last_bad == seconds - 1:
        return None
    return float(last_bad + 1)


def per_second_rows(requests, upstream_samples, t_flip, t_start, t_end):
    """Rows of the time series, one a second, relative to the start of the brownout."""
    first = int((t_start - t_flip) // 1000)
    last = int((t_end - t_flip) // 1000)
    bins = {b: [0, 0, 0, 0, []] for b in range(first, last + 1)}  # arrivals, errors, completions, errors, durations
    for arrival, duration, status, _code, _up in requests:
        b = int((arrival - t_flip) // 1000)
        if b in bins:
            bins[b][0] += 1
            bins[b][1] += is_error(status)
            bins[b][4].append(duration)
        c = int((arrival + duration - t_flip) // 1000)
        if c in bins:
            bins[c][2] += 1
            bins[c][3] += is_error(status)
    # upstream requests per second: the counts read once a second, spread over the seconds they span
    upstream = {b: 0.0 for b in bins}
    for (t0, n0), (t1, n1) in zip(upstream_samples, upstream_samples[1:]):
        if t1 <= t0 or n1 < n0:
            continue
        rate = (n1 - n0) / (t1 - t0)
        lo = t0
        while lo < t1:
            b = int((lo - t_flip) // 1000)
            hi = min(t1, t_flip + (b + 1) * 1000.0)
            if b in upstream:
                upstream[b] += rate * (hi - lo)
            lo = hi
    rows = []
    for b in sorted(bins):
        arrivals, a_err, completions, c_err, durations = bins[b]
        durations.sort()
        rows.append((b, arrivals, a_err, completions, c_err, round(upstream[b]),
                     percentile(durations, 99)))
    return rows


def read_upstream_samples(path):
    samples = []
    if not os.path.exists(path):
        return samples
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or any(int(p) < 0 for p in parts[1:]):
                continue  # an endpoint did not answer in time that second
            samples.append((float(parts[0]), sum(int(p) for p in parts[1:])))
    return samples


def resilience_counters(metrics_path, upstream):
    """Rampart's own counters about attempts, retries, budgets, breakers and ejections of the measured upstream
    at the end of a run, summed over labels but for an attempt's `kind` and a suppressed retry's `reason`."""
    sums = {}
    if not os.path.exists(metrics_path):
        return sums
    words = ("attempt", "retr", "budget", "breaker", "eject", "outlier")
    with open(metrics_path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if not name.endswith("_total") or not any(w in name for w in words):
                continue
            if f'upstream="{upstream}"' not in line:
                continue  # the warm-up route's upstream
            key = name
            for label in ("kind", "reason"):
                m = re.search(label + r'="([^"]*)"', line)
                if m:
                    key += "{" + label + "=" + m.group(1) + "}"
            try:
                sums[key] = sums.get(key, 0) + float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return {k: v for k, v in sorted(sums.items()) if v}


def digest_run(run_dir, stdout_path):
    with open(os.path.join(run_dir, "run.json")) as f:
        run = json.load(f)
    requests = read_access_log(stdout_path, run["path"])
    snaps = read_snapshots(run_dir, run["endpoints"])
    with gzip.open(os.path.join(run_dir, "requests.tsv.gz"), "wt") as f:
        f.write("arrival_ms\tduration_ms\tstatus\terror_code\tupstream_status\n")
        for r in requests:
            f.write("\t".join("" if v is None else str(v) for v in r) + "\n")

    result = {"config": run["config"], "round": run["round"], "rate": run["rate"],
              "resilience_keys": run["resilience_keys"], "phases": {}}
    arrivals = [r[0] for r in requests]
    for phase in PHASES:
        t0, n0, o0 = snaps[f"{phase}-start"]
        t1, n1, o1 = snaps[f"{phase}-end"]
        inside = [r for r in requests if t0 <= r[0] < t1]
        durations = sorted(r[1] for r in inside)
        errors = sum(is_error(r[2]) for r in inside)
        upstream = n1 - n0
        result["phases"][phase] = {
            "seconds": (t1 - t0) / 1000.0,
            "client_requests": len(inside),
            "client_errors": errors,
            "error_rate": errors / len(inside) if inside else None,
            "p50_ms": percentile(durations, 50),
            "p99_ms": percentile(durations, 99),
            "max_ms": durations[-1] if durations else None,
            "upstream_requests": upstream,
            "amplification": upstream / len(inside) if inside else None,
            "upstream_outcomes": {k: o1.get(k, 0) - o0.get(k, 0) for k in o1},
            "error_codes": count_by(r[3] for r in inside if is_error(r[2])),
        }
    result["knob_change_ms"] = {
        "brownout": snaps["brownout-start"][0] - snaps["baseline-end"][0],
        "heal": snaps["recovery-start"][0] - snaps["brownout-end"][0],
    }
    seconds = int(run["phases_s"]["recovery"])
    t_heal = run["t_heal_ms"]
    result["recovery_s_by_completion"] = recovery_seconds(requests, t_heal, seconds, lambda r: r[0] + r[1])
    result["recovery_s_by_arrival"] = recovery_seconds(requests, t_heal, seconds, lambda r: r[0])
    result["recovery_window_s"] = seconds

    with open(os.path.join(run_dir, "loadgen.json")) as f:
        load = json.loads(f.read().strip().splitlines()[-1])
    e = load["errors"]
    result["loadgen"] = {
        "sent": load["sent"], "completed": load["completed"],
        "errors": e["timeout"] + e["connect"] + e["status"] + e["other"], "timeouts": e["timeout"],
        "p99_ms": load["latency"]["p99_us"] / 1000.0, "max_send_lag_ms": load["max_send_lag_us"] / 1000.0,
        "achieved_rate": load["achieved_rate"],
    }
    # every request the generator sent in its measured window should be in the access log
    window_end = run["t_window_ms"] + 1000.0 * (sum(run["phases_s"].values()) + 1)
    result["access_log_requests_in_window"] = sum(1 for a in arrivals if run["t_window_ms"] <= a < window_end)
    result["arrivals_per_second"] = arrival_range(arrivals, snaps["baseline-start"][0], snaps["recovery-end"][0])
    result["resilience_counters"] = resilience_counters(os.path.join(run_dir, "metrics.txt"), run["upstream"])

    rows = per_second_rows(requests, read_upstream_samples(os.path.join(run_dir, "upstream-per-second.txt")),
                           run["t_flip_ms"], snaps["baseline-start"][0], snaps["recovery-end"][0])
    with open(os.path.join(run_dir, "per-second.tsv"), "w") as f:
        f.write("second_from_brownout\tarrivals\tarrival_errors\tcompletions\tcompletion_errors"
                "\tupstream_requests\tp99_ms_of_arrivals\n")
        for row in rows:
            f.write("\t".join("" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
                              for v in row) + "\n")
    with open(os.path.join(run_dir, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    b = result["phases"]["brownout"]
    print(f"{run['config']} round {run['round']}: brownout amplification {fmt(b['amplification'])}, "
          f"errors {pct(b['error_rate'])}, p99 {fmt(b['p99_ms'])} ms; recovered after "
          f"{secs(result['recovery_s_by_completion'], seconds)}", file=sys.stderr)


def arrival_range(arrivals, t0, t1):
    """The fewest and most requests that arrived at Rampart in a whole second from t0 to t1: the load really offered."""
    bins = [0] * int((t1 - t0) // 1000)
    for a in arrivals:
        b = int((a - t0) // 1000)
        if 0 <= b < len(bins):
            bins[b] += 1
    return [min(bins), max(bins)] if bins else None


def count_by(values):
    counts = {}
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def pct(x):
    return "–" if x is None else f"{100 * x:.1f} %"


def secs(x, window):
    return f"> {window} s (not recovered)" if x is None else f"{x:.0f} s"


# ---------------------------------------------------------------- the table

def load_results(out):
    results = []
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "result.json")
        if os.path.exists(path):
            with open(path) as f:
                results.append(json.load(f))
    return results


def pct_cell(vs):
    """Median (min–max) of fractions, as percentages."""
    vs = [v for v in vs if v is not None]
    if not vs:
        return "–"
    return cell([100 * v for v in vs]) + " %"


def recovery_cell(vs, window):
    """Median (min–max) of recovery times; a run that never recovered counts as longer than the window."""
    if not vs:
        return "–"
    as_numbers = [window + 1 if v is None else v for v in vs]
    med = statistics.median(as_numbers)
    text = f"> {window}" if med > window else fmt(med)
    if len(vs) > 1 and min(as_numbers) != max(as_numbers):
        hi = f"> {window}" if max(as_numbers) > window else fmt(max(as_numbers))
        text += f" ({fmt(min(as_numbers))}–{hi})"
    return text + " s"


def outcome_shares(results, phase):
    """What the endpoints did with the requests they got during a phase, as shares (first round's order)."""
    totals = {}
    for r in results:
        for k, v in r["phases"][phase]["upstream_outcomes"].items():
            totals[k] = totals.get(k, 0) + v
    n = sum(totals.values())
    if not n:
        return "–"
    return ", ".join(f"{k} {100 * v / n:.0f} %" for k, v in totals.items() if v)


def table(out, configs):
    results = load_results(out)
    by_config = {c: [r for r in results if r["config"] == c] for c in configs}
    configs = [c for c in configs if by_config[c]]
    if not configs:
        raise SystemExit(f"no results under {out}")
    window = max(r["recovery_window_s"] for r in results)

    def values(c, f):
        return [f(r) for r in by_config[c]]

    rows = []

    def row(label, f, kind="num"):
        cells = []
        for c in configs:
            vs = values(c, f)
            if kind == "pct":
                cells.append(pct_cell(vs))
            elif kind == "recovery":
                cells.append(recovery_cell(vs, window))
            else:
                cells.append(cell([v for v in vs if v is not None]))
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    def ph(phase, key):
        return lambda r: r["phases"][phase][key]

    row("**amplification during brownout** (upstream ÷ client requests)", ph("brownout", "amplification"))
    row("**client error rate during brownout** (non-2xx)", ph("brownout", "error_rate"), "pct")
    row("**p99 during brownout**, ms", ph("brownout", "p99_ms"))
    row("**time to recover** (errors seen by clients under 1 % every second from then on)",
        lambda r: r["recovery_s_by_completion"], "recovery")
    row("time to recover, by arrival (requests sent after the heal)", lambda r: r["recovery_s_by_arrival"],
        "recovery")
    row("p50 during brownout, ms", ph("brownout", "p50_ms"))
    row("max during brownout, ms", ph("brownout", "max_ms"))
    for phase in ("baseline", "recovery"):
        row(f"amplification, {phase}", ph(phase, "amplification"))
        row(f"client error rate, {phase}", ph(phase, "error_rate"), "pct")
        row(f"p99, {phase}, ms", ph(phase, "p99_ms"))
    row("client requests during brownout", ph("brownout", "client_requests"))
    row("upstream requests during brownout", ph("brownout", "upstream_requests"))
    rows.append("| what the endpoints did during brownout | "
                + " | ".join(outcome_shares(by_config[c], "brownout") for c in configs) + " |")
    rows.append("| errors clients saw during brownout, by code | "
                + " | ".join(error_codes(by_config[c]) for c in configs) + " |")
    row("load generator: sent in its measured window", lambda r: r["loadgen"]["sent"])
    row("load generator: errors (timeouts)", lambda r: r["loadgen"]["errors"])
    row("load generator: p99 over the whole window, ms", lambda r: r["loadgen"]["p99_ms"])
    row("access-log requests in that window", lambda r: r["access_log_requests_in_window"])

    rounds = max(len(v) for v in by_config.values())
    lines = ["| metric | " + " | ".join(configs) + " |", "|---|" + "---|" * len(configs)] + rows
    lines.append("")
    lines.append(f"Cells: median over {rounds} round(s) (min–max). Client side from Rampart's access log (arrival "
                 "to last byte; every request is answered by Rampart before the client's 30 s patience runs out); "
                 "upstream side from the endpoints' `/_demo/stats` counts, read at the start and end of each phase. "
                 "Time to recover counts from the moment the knobs were cleared, in whole seconds; a second with no "
                 f"answer at all counts as failing; \"> {window}\" means not within the recovery phase.")
    lines.extend(notes(by_config, configs))
    return "\n".join(lines)


def error_codes(results):
    totals = {}
    for r in results:
        for k, v in r["phases"]["brownout"]["error_codes"].items():
            totals[k] = totals.get(k, 0) + v
    n = sum(totals.values())
    if not n:
        return "none"
    return ", ".join(f"{k} {100 * v / n:.0f} %" for k, v in sorted(totals.items(), key=lambda kv: -kv[1])[:4])


def notes(by_config, configs):
    out = []
    harness_only = any(not r["resilience_keys"] for rs in by_config.values() for r in rs)
    if harness_only:
        out.append("**--no-resilience-keys**: the configs left out every resilience key, so they were the same "
                   "config under different names; this run checks the harness, not the policies.")
    elif by_config.get("defaults"):
        amps = [r["phases"]["brownout"]["amplification"] for r in by_config["defaults"]]
        amps = [a for a in amps if a is not None]
        if amps:
            m = statistics.median(amps)
            verdict = "**met**" if m <= AMPLIFICATION_TARGET else "**not met**"
            out.append(f"Issue 4's target (amplification ≤ {AMPLIFICATION_TARGET} for the defaults during the "
                       f"brownout): {verdict} — median {m:.2f}, worst {max(amps):.2f}.")
    for c in configs:
        counters = {}
        for r in by_config[c]:
            for k, v in r.get("resilience_counters", {}).items():
                counters.setdefault(k, []).append(v)
        if counters:
            listed = ", ".join(f"`{k}` {fmt(statistics.median(v))}" for k, v in counters.items())
            out.append(f"Rampart's resilience counters at the end of a {c} run (median, summed over labels): {listed}.")
    gaps = [v for rs in by_config.values() for r in rs for v in r["knob_change_ms"].values()]
    if gaps:
        out.append(f"Changing the knobs on both endpoints took at most {fmt(max(gaps))} ms; those moments count "
                   "in no phase.")
    ranges = [(r["arrivals_per_second"], r["rate"])
              for rs in by_config.values() for r in rs if r["arrivals_per_second"]]
    if ranges:
        lo = min(a[0] for a, _ in ranges)
        hi = max(a[1] for a, _ in ranges)
        rate = ranges[0][1]
        line = (f"Offered load: {lo} to {hi} requests arrived at Rampart in each second of the phases "
                f"(target {rate}/s); the load generator's worst send lag behind schedule, ramp included, was "
                f"{fmt(max(r['loadgen']['max_send_lag_ms'] for rs in by_config.values() for r in rs))} ms.")
        if any(a[0] < (1 - STEADY_WITHIN) * rate or a[1] > (1 + STEADY_WITHIN) * rate for a, rate in ranges):
            line += (" **Not steady**: the generator fell behind and sent in bursts, so the phases did not get the "
                     "load they were meant to; treat these figures as unreliable (a busy machine?).")
        out.append(line)
    return out


def main(argv):
    if len(argv) == 4 and argv[1] == "run":
        digest_run(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "table":
        print(table(argv[2], argv[3].split(",")))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
