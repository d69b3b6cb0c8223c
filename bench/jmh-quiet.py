#!/usr/bin/env python3
"""Run JMH benchmarks one unit at a time, each in a quiet window of a shared machine.

On a small shared box (2 cores) a concurrent Maven build halves a benchmark's score. This runner
watches CPU time used by processes that are not this JMH run (/proc/stat minus the JMH host and
forked JVMs), starts each unit only after the machine has been quiet for a while, measures the
foreign CPU during the unit, and repeats a unit that was disturbed (keeping the least disturbed
attempt). Every unit's JSON is merged into one JMH result file, and a log records, per unit, the
exact JMH command and the foreign CPU seen during it.

usage: jmh-quiet.py --jar bench/target/benchmarks.jar --out results/X/jmh.json \
           --unit 'Crc32c -p bytes=1024' --unit 'ProduceDecode' ... -- <common JMH args>
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def total_busy():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle


def tree_cpu(root_pid):
    """utime+stime (jiffies) of root_pid and all its descendants still alive."""
    children = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
        except OSError:
            continue
        rest = data[data.rindex(")") + 2:].split()
        ppid = int(rest[1])
        children.setdefault(ppid, []).append(int(entry))
        stats[int(entry)] = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
    total = 0
    stack = [root_pid] if root_pid else []
    while stack:
        pid = stack.pop()
        total += stats.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class Sampler:
    """Foreign CPU (in cores) over consecutive intervals."""

    def __init__(self, own_pid=None):
        self.own_pid = own_pid
        self.busy = total_busy()
        self.own = tree_cpu(own_pid)
        self.t = time.monotonic()

    def sample(self):
        busy, own, t = total_busy(), tree_cpu(self.own_pid), time.monotonic()
        # own CPU can drop when a forked JVM exits (its jiffies leave the tree): clamp at zero.
        own_delta = max(own - self.own, 0)
        foreign = max((busy - self.busy) - own_delta, 0) / HZ / max(t - self.t, 1e-3)
        self.busy, self.own, self.t = busy, own, t
        return foreign


def wait_quiet(threshold, quiet_seconds, deadline):
    sampler = Sampler(os.getpid())
    quiet_since = time.monotonic()
    while True:
        time.sleep(1)
        foreign = sampler.sample()
        now = time.monotonic()
        if foreign > threshold:
            quiet_since = now
        if now - quiet_since >= quiet_seconds:
            return True
        if now > deadline:
            return False


def run_unit(jar, unit, common, json_path, log):
    cmd = ["java", "-jar", jar] + shlex.split(unit) + common + ["-rf", "json", "-rff", json_path]
    with open(json_path + ".txt", "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        sampler = Sampler(proc.pid)
        samples = []
        while proc.poll() is None:
            time.sleep(1)
            samples.append(sampler.sample())
    mean = sum(samples) / len(samples) if samples else 0.0
    peak = max(samples) if samples else 0.0
    busy_share = sum(1 for s in samples if s > 0.25) / len(samples) if samples else 0.0
    log.write(f"{time.strftime('%H:%M:%S')} rc={proc.returncode} foreign_mean={mean:.2f} cores "
              f"foreign_peak={peak:.2f} seconds_over_0.25={busy_share:.0%} cmd={shlex.join(cmd)}\n")
    log.flush()
    return proc.returncode, mean, busy_share


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--unit", action="append", required=True)
    parser.add_argument("--threshold", type=float, default=0.15, help="foreign cores that count as busy")
    parser.add_argument("--quiet-seconds", type=float, default=10)
    parser.add_argument("--max-attempts", type=int, default=3)
    parser.add_argument("--accept-mean", type=float, default=0.05, help="accept a unit below this foreign mean")
    parser.add_argument("--budget-minutes", type=float, default=45)
    parser.add_argument("common", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    common = args.common[1:] if args.common[:1] == ["--"] else args.common
    deadline = time.monotonic() + args.budget_minutes * 60
    out_dir = os.path.dirname(os.path.abspath(args.out))
    parts_dir = os.path.join(out_dir, "units")
    os.makedirs(parts_dir, exist_ok=True)
    merged = []
    with open(os.path.join(out_dir, "run-log.txt"), "a") as log:
        for index, unit in enumerate(args.unit):
            best = None
            for attempt in range(1, args.max_attempts + 1):
                quiet = wait_quiet(args.threshold, args.quiet_seconds, deadline)
                log.write(f"unit {index} attempt {attempt}: {'quiet' if quiet else 'NOT quiet (budget spent)'} at start\n")
                path = os.path.join(parts_dir, f"{index:02d}-attempt{attempt}.json")
                rc, mean, share = run_unit(args.jar, unit, common, path, log)
                if rc != 0:
                    sys.exit(f"unit failed: {unit} (see {path}.txt)")
                if best is None or mean < best[1]:
                    best = (path, mean)
                if mean <= args.accept_mean or time.monotonic() > deadline:
                    break
            log.write(f"unit {index} kept {os.path.basename(best[0])} (foreign_mean={best[1]:.2f})\n")
            with open(best[0]) as f:
                merged.extend(json.load(f))
    with open(args.out, "w") as f:
        json.dump(merged, f, indent=4)
    print(f"merged {len(merged)} results into {args.out}")


if __name__ == "__main__":
    main()
