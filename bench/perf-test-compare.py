#!/usr/bin/env python3
"""Compares Runnel's load runner with kafka-producer-perf-test: reads what bench/runner-vs-perf-test.sh
wrote and prints a Markdown summary (records/s of each, their ratio, publish latency of each, and
PASS/FAIL on throughput agreement within 10%).

    python3 bench/perf-test-compare.py OUTPUT_DIR > OUTPUT_DIR/summary.md

OUTPUT_DIR/machine.txt describes the run (its "perf-test variants:" line names the payload variants, the
first one judged); each OUTPUT_DIR/<size>b-acks-<acks>/ holds round-N-perf-test-<variant>.txt
(ProducerPerformance's stdout) and round-N-runner/*.json (the OMB-format result of
io.runnel.bench.omb.OmbBench). Standard library only.
"""
import glob
import json
import os
import re
import sys

TOLERANCE = 0.10
KNOWN_VARIANTS = ["payload-file", "record-size"]

# ProducerPerformance.Stats.printTotal():
# "%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency,
#  %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th."
SUMMARY = re.compile(
    r"^(?P<count>\d+)(?P<steady> steady state)? records sent, (?P<rate>[\d.]+) records/sec \((?P<mbps>[\d.]+) MB/sec\), "
    r"(?P<avg>[\d.]+) ms avg latency, (?P<max>[\d.]+) ms max latency, (?P<p50>\d+) ms 50th, (?P<p95>\d+) ms 95th, "
    r"(?P<p99>\d+) ms 99th, (?P<p999>\d+) ms 99\.9th\.")


def perf_test(path):
    """{'total': {...}, 'steady': {...}} from ProducerPerformance's summary lines (either may be missing)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SUMMARY.match(line.strip())
            if m:
                out["steady" if m.group("steady") else "total"] = {
                    "count": int(m.group("count")),
                    "rate": float(m.group("rate")),
                    "mbps": float(m.group("mbps")),
                    "avg": float(m.group("avg")),
                    "p50": float(m.group("p50")),
                    "p99": float(m.group("p99")),
                    "max": float(m.group("max")),
                }
    return out


def runner(directory):
    files = sorted(glob.glob(os.path.join(directory, "*.json")))
    if not files:
        return None
    with open(files[0], encoding="utf-8") as f:
        r = json.load(f)
    windows = r.get("publishRate") or []
    rate = r.get("aggregatedPublishRate")
    if rate is None:  # a result from before the runner wrote its measured period's totals
        rate = sum(windows) / len(windows) if windows else 0.0
    return {
        "rate": rate,
        "avg": r.get("aggregatedPublishLatencyAvg", 0.0),
        "p50": r.get("aggregatedPublishLatency50pct", 0.0),
        "p99": r.get("aggregatedPublishLatency99pct", 0.0),
        "max": r.get("aggregatedPublishLatencyMax", 0.0),
        "errors": r.get("sendErrors", 0),
    }


def variants_of(out):
    """The perf-test payload variants, judged one first, from machine.txt (else whichever files exist)."""
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        with open(machine, encoding="utf-8") as f:
            for line in f:
                if line.startswith("perf-test variants:"):
                    named = [v for v in line.split(":", 1)[1].split() if v in KNOWN_VARIANTS]
                    if named:
                        return named
    present = {m.group(1) for f in glob.glob(os.path.join(out, "*", "round-*-perf-test-*.txt"))
               for m in [re.search(r"-perf-test-([a-z-]+)\.txt$", f)] if m}
    return [v for v in KNOWN_VARIANTS if v in present] or KNOWN_VARIANTS[:1]


def verdict(ratio):
    return "PASS" if ratio is not None and abs(ratio - 1.0) <= TOLERANCE else "FAIL"


def ratio_of(a, b):
    return a / b if a is not None and b else None


def fmt(value, spec=",.0f"):
    return "n/a" if value is None else format(value, spec)


def latency(x):
    return "n/a" if x is None else f"{x['avg']:.2f} / {x['p50']:.2f} / {x['p99']:.2f} / {x['max']:.0f}"


def mean(values):
    return sum(values) / len(values) if values else None


def setting_key(name):
    m = re.match(r"(\d+)b-acks-(\w+)$", name)
    return (m.group(2) != "1", -int(m.group(1))) if m else (True, 0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: perf-test-compare.py OUTPUT_DIR")
    out = sys.argv[1]
    variants = variants_of(out)
    judged, others = variants[0], variants[1:]
    settings = sorted((d for d in os.listdir(out) if re.match(r"\d+b-acks-\w+$", d) and os.path.isdir(os.path.join(out, d))),
                      key=setting_key)
    lines = ["# Load runner vs kafka-producer-perf-test, one Runnel broker", ""]
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        with open(machine, encoding="utf-8") as f:
            lines += [f"- {line.rstrip()}" for line in f if line.strip()]
        lines.append("")

    per_setting = []
    rows = []
    for setting in settings:
        directory = os.path.join(out, setting)
        rounds = sorted({int(m.group(1)) for f in os.listdir(directory) for m in [re.match(r"round-(\d+)-", f)] if m})
        means = {"runner": []}
        for v in variants:
            means[v] = []
        for n in rounds:
            r = runner(os.path.join(directory, f"round-{n}-runner"))
            p = {v: perf_test(os.path.join(directory, f"round-{n}-perf-test-{v}.txt")) for v in variants}
            reference = p[judged].get("steady")
            total = p[judged].get("total")
            ratio = ratio_of(r["rate"] if r else None, reference["rate"] if reference else None)
            if r and reference:  # the means pair runs that both completed
                means["runner"].append(r["rate"])
                for v in variants:
                    means[v].append(p[v]["steady"]["rate"] if p[v].get("steady") else None)
            cells = [setting, str(n), "perf-test first" if n % 2 == 1 else "runner first",
                     fmt(r["rate"] if r else None), fmt(reference["rate"] if reference else None), fmt(ratio, ".3f"), verdict(ratio),
                     fmt(ratio_of(r["rate"] if r else None, total["rate"] if total else None), ".3f")]
            for v in others:
                steady = p[v].get("steady")
                cells += [fmt(steady["rate"] if steady else None), fmt(ratio_of(r["rate"] if r else None, steady["rate"] if steady else None), ".3f")]
            cells += [latency(r), latency(reference)] + [latency(p[v].get("steady")) for v in others]
            cells += [str(r["errors"]) if r else "n/a"]
            rows.append("| " + " | ".join(cells) + " |")
        runner_mean = mean(means["runner"])
        judged_mean = mean(means[judged])
        other_means = {v: (mean([x for x in means[v] if x is not None]) if all(x is not None for x in means[v]) else None) for v in others}
        ratio = ratio_of(runner_mean, judged_mean)
        per_setting.append((setting, len(means["runner"]), runner_mean, judged_mean, ratio, verdict(ratio), other_means))

    overall = "PASS" if per_setting and all(s[5] == "PASS" for s in per_setting) else "FAIL"
    header = f"| setting | rounds | runner records/s (mean) | perf-test {judged} records/s (mean) | runner / perf-test | within 10% |"
    rule = "|---|---|---|---|---|---|"
    for v in others:
        header += f" perf-test {v} records/s (mean) | runner / it |"
        rule += "---|---|"
    lines += [
        f"**Criterion:** the runner's publish rate within {TOLERANCE:.0%} of kafka-producer-perf-test's (steady state, "
        f"`{judged}` variant) on the same broker and settings, per setting over the rounds. **Overall: {overall}.**",
        "",
        header,
        rule,
    ]
    for setting, n, runner_mean, judged_mean, ratio, v, other_means in per_setting:
        row = f"| {setting} | {n} | {fmt(runner_mean)} | {fmt(judged_mean)} | {fmt(ratio, '.3f')} | {v} |"
        for o in others:
            row += f" {fmt(other_means[o])} | {fmt(ratio_of(runner_mean, other_means[o]), '.3f')} |"
        lines.append(row)

    header = (f"| setting | round | order | runner | perf-test {judged} steady state | runner / it | within 10% "
              f"| runner / perf-test {judged} whole run |")
    rule = "|---|---|---|---|---|---|---|---|"
    for v in others:
        header += f" perf-test {v} steady state | runner / it |"
        rule += "---|---|"
    header += f" runner latency | perf-test {judged} latency |" + "".join(f" perf-test {v} latency |" for v in others)
    rule += "---|---|" + "---|" * len(others)
    header += " runner send errors |"
    rule += "---|"
    lines += [
        "",
        "Every run: records/s; publish latency (send → acknowledgement callback in both) in ms as avg / p50 / p99 / max.",
        "",
        header,
        rule,
    ] + rows + [
        "",
        "How each side counts (the same in both unless said):",
        "",
        "- Throughput counts records whose send callback reported success. perf-test's steady state: records sent "
        "from record `--warmup-records` on, over the time from that send to the end of `producer.close()`; warm-up "
        "records still in the producer's buffer then complete inside that time without being counted (biases it "
        "low by about buffer-drain time / run time: 32 MiB at 300 MB/s drain in 0.1 s, 0.4% of 25 s). Its whole-run line also "
        "includes the first send's metadata wait and the JIT warm-up. Runner: records acknowledged from the end of "
        "its time-based warm-up to the end of the measured period, over that period's length "
        "(`aggregatedPublishRate` in its JSON); the drain at the end is not timed.",
        "- Payload: the runner sends one pre-generated payload. perf-test `payload-file` picks one of 1000 "
        "pre-generated payloads of the same size per record; perf-test `record-size` refills its payload with "
        "fresh random letters (one `SplittableRandom.nextInt` per byte) before every send, on the sending thread, "
        "so at 1 KiB its own client CPU, not the broker, can cap it. Same sizes, no keys, compression none: the "
        "broker gets the same bytes per record from all three.",
        "- Latency: perf-test takes `System.currentTimeMillis()` before `send()` and in the callback (whole "
        "milliseconds; percentiles from a sample of at most 500,000 records, whole ms), the runner `System.nanoTime()` "
        "(HdrHistogram, µs, 3 digits). At max rate both are mostly time queued in the producer's buffer "
        "(buffer.memory, 32 MiB by default), so they follow throughput and how full the buffer runs.",
        "- perf-test runs on its own kafka-clients (4.3.1: ProducerPerformance 4.3.1 does not run on 4.4.0), the "
        "runner on the project's 4.4.0. Both client JVMs get the same options (see above).",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
