#!/usr/bin/python3
"""Runs a seqseg command with --progress json and reads the resident memory (VmRSS) of its
process at every event of one kind: after each case of --batch ("result"), after each training
step ("metric"). Prints a line every EVERY events and, at the end, the growth after warm-up: the
highest resident memory after the first WARMUP events minus the memory at the end of warm-up.

usage: rss_during.py EVENT WARMUP EVERY -- COMMAND...
Exit status: the command's.
"""
import json
import subprocess
import sys


def resident_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit(__doc__)
    event_kind, warmup, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    command = sys.argv[5:]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    samples = []
    for line in process.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "error":
            print("error:", event.get("message"), file=sys.stderr)
        if event.get("event") != event_kind:
            continue
        mb = resident_mb(process.pid)
        if mb is None:
            continue
        samples.append(mb)
        if len(samples) % every == 0 or len(samples) == 1:
            print(f"  {event_kind} {len(samples):5d}: {mb:7.0f} MB resident", flush=True)
    status = process.wait()
    if len(samples) <= warmup:
        print(f"only {len(samples)} {event_kind} events: no growth after {warmup}")
        return status or 1
    at_warmup = samples[warmup - 1]
    highest = max(samples[warmup:])
    print(f"{len(samples)} {event_kind} events; resident after {warmup}: {at_warmup:.0f} MB, "
          f"highest after it: {highest:.0f} MB, at the end: {samples[-1]:.0f} MB: "
          f"growth {highest - at_warmup:.0f} MB")
    return status


if __name__ == "__main__":
    sys.exit(main())
