#!/usr/bin/env python3
"""CPU a request by component, from `perf script` output of two .NET processes (bench/README.md, "Where the API's
CPU goes beyond the floor's").

  perf-groups.py A.script A_US B.script B_US [--min US]

A_US and B_US are each process's CPU a request over the recorded window, in microseconds (samples / frequency /
requests). Each sample is charged to the first frame from the leaf whose assembly is not the runtime's own
(CoreLib, System.Runtime, System.Memory, System.Collections, System.Linq), or to its native module (kernel, libcoreclr,
libcrypto, ...). Assemblies named Articles.* or Floor are reported together as "app code".
"""
import collections
import re
import sys

RUNTIME = {"System.Private.CoreLib", "System.Runtime", "System.Memory", "System.Collections",
           "System.Collections.Concurrent", "System.Linq"}
FRAME = re.compile(r"\[([A-Za-z0-9_.]+)\] ([^ ]+?)::")


def stacks(path):
    frames = []
    for line in open(path, errors="replace"):
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line[0] in " \t":
            frames.append(line.strip().split(" ", 1)[-1])
    if frames:
        yield frames


def group(frames):
    for frame in frames:
        match = FRAME.search(frame)
        if match and match.group(1) not in RUNTIME:
            name = match.group(1)
            return "app code" if name.startswith("Articles.") or name == "Floor" else name
    leaf = frames[0]
    if "kernel" in leaf:
        return "(native) kernel"
    # The runtime's stubs and helpers are named in the perf map the runtime writes (DOTNET_PerfMapEnabled=1).
    module = re.search(r"\(([^()]*)\)\s*$", leaf)
    module = module.group(1).rsplit("/", 1)[-1] if module else leaf
    return "(native) " + ("runtime stubs" if module.startswith("perf-") else module)


def per_request(path, microseconds):
    counts = collections.Counter(group(s) for s in stacks(path))
    total = sum(counts.values())
    return {name: n * microseconds / total for name, n in counts.items()}


def main(argv):
    minimum = float(argv[argv.index("--min") + 1]) if "--min" in argv else 1.0
    a, b = per_request(argv[0], float(argv[1])), per_request(argv[2], float(argv[3]))
    print(f"| component | A µs | B µs | A - B |\n|---|---|---|---|")
    for name in sorted(set(a) | set(b), key=lambda n: -(a.get(n, 0) - b.get(n, 0))):
        x, y = a.get(name, 0), b.get(name, 0)
        if abs(x - y) >= minimum:
            print(f"| {name} | {x:.1f} | {y:.1f} | {x - y:+.1f} |")
    print(f"| total | {sum(a.values()):.1f} | {sum(b.values()):.1f} | {sum(a.values()) - sum(b.values()):+.1f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
