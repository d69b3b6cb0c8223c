#!/usr/bin/env python3
"""Summarises a bench/side-by-side.sh output folder as a Markdown table (stdout)."""
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
print(f"# Side by side: Apache Kafka and Runnel\n")
print((out / "machine.txt").read_text().strip().replace("\n", "  \n"))
print()
print("| workload | system | produce MB/s | produce rec/s | publish p50 ms | publish p99 ms | consume MB/s |")
print("|---|---|---|---|---|---|---|")
for workload in ["100b-acks-1", "100b-acks-all", "1024b-acks-1", "1024b-acks-all"]:
    for system in ["kafka", "runnel"]:
        path = out / f"{system}-{workload}.json"
        if not path.exists():
            continue
        d = json.loads(path.read_text())
        p, c = d["produce"], d["consume"]
        lat = p["publishLatencyMicros"]
        print(f"| {workload} | {system} | {p['megabytesPerSecond']:.1f} | {p['recordsPerSecond']:.0f} | "
              f"{lat['p50'] / 1000:.1f} | {lat['p99'] / 1000:.1f} | {c['megabytesPerSecond']:.1f} |")
print()
print("| system | broker CPU seconds (all workloads) | peak RSS MB | bytes on disk |")
print("|---|---|---|---|")
for system in ["kafka", "runnel"]:
    path = out / f"{system}-broker.json"
    if path.exists():
        d = json.loads(path.read_text())
        print(f"| {system} | {d['brokerCpuSeconds']:.1f} | {d['peakRssMb']:.0f} | {d['bytesOnDisk']} |")
