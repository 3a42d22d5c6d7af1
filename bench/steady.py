#!/usr/bin/env python3
"""How steady one Rampart JVM is under load, slice by slice: a question bench/run.sh cannot answer.

Starts `java -jar JAR run -c CONFIG` on CPU 0 (one event loop, the bench's heap), drives it with
`wrk -t1 -c32 -d5s` on CPU 1 for SECONDS, and prints for every 5 s slice the process's CPU µs per
request (utime + stime from /proc) and the part of it spent by the JIT compiler threads. A JVM whose
slices swing while its JIT is idle is watching the host, not itself.

usage: bench/steady.py JAR CONFIG SECONDS [--port P] [--header 'Name: value']
       (CONFIG must listen on 127.0.0.1:P, default 28180, and proxy to a backend that is running)
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("jar")
ap.add_argument("config")
ap.add_argument("seconds", type=int)
ap.add_argument("--port", type=int, default=28180)
ap.add_argument("--header")
args = ap.parse_args()
if args.seconds > 3600:
    sys.exit("at most 3600 seconds")
HZ = os.sysconf("SC_CLK_TCK")
log = open("/dev/shm/rampart-steady-stdout.log", "wb")
proc = subprocess.Popen(["taskset", "-c", "0", "java", "-Xms256m", "-Xmx256m", "-Drampart.event-loops=1",
                         "-jar", args.jar, "run", "-c", args.config], stdout=log, stderr=subprocess.STDOUT,
                        env=dict(os.environ, RAMPART_EVENT_LOOPS="1"))
try:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", args.port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(f"nothing listens on 127.0.0.1:{args.port} after 60 s")

    def ticks():
        total = jit = 0
        for task in os.listdir(f"/proc/{proc.pid}/task"):
            try:
                stat = open(f"/proc/{proc.pid}/task/{task}/stat").read()
            except FileNotFoundError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            used = int(fields[11]) + int(fields[12])
            total += used
            jit += used if "Compiler" in name else 0
        return total, jit

    wrk = ["taskset", "-c", "1", "wrk", "-t1", "-c32", "-d5s"] + (["-H", args.header] if args.header else [])
    start = time.time()
    while time.time() - start < args.seconds:
        cpu0, jit0 = ticks()
        out = subprocess.run(wrk + [f"http://127.0.0.1:{args.port}/"], capture_output=True, text=True,
                             timeout=30).stdout
        cpu1, jit1 = ticks()
        log.truncate(0)
        found = re.search(r"(\d+) requests in", out)
        n = int(found.group(1)) if found else 0
        if n == 0:
            print(f"{time.time() - start:6.1f}s  wrk failed: {out.strip()[:200]}", flush=True)
            continue
        print(f"{time.time() - start:6.1f}s  cpu/req={(cpu1 - cpu0) / HZ / n * 1e6:6.2f} µs  "
              f"jit={(jit1 - jit0) / HZ / n * 1e6:5.2f} µs  req/s={n / 5:7.0f}", flush=True)
finally:
    proc.terminate()
    proc.wait(30)
