"""Run a command and measure its wall time and peak memory (bench only, Linux /proc).

Two memory figures per command:
- ``tree_peak_mib``: the largest SUM of VmRSS over the whole process tree, sampled every
  ``interval`` seconds from /proc (a peak shorter than the interval can be missed);
- ``largest_process_mib``: the exact peak RSS of the largest single process in the tree, from
  ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a small wrapper process that runs only this command
  (so earlier commands of the bench cannot leak into it).
``peak_mib`` is the larger of the two: what the machine had to hold at once.

``cpu_seconds``: user + system CPU time of the command's whole tree (the same ``getrusage`` of
the wrapper; children a process never waited for are not counted). On a 2-core machine, a command
whose CPU time nears twice its wall time is CPU-bound: only less work makes it faster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Runs the command as its only child and writes that child tree's exact max RSS (KiB) and its
# CPU seconds (user + system) to the file descriptor given as its first argument.
_WRAPPER = (
    "import os, resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "report = f'{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}'\n"
    "os.write(int(sys.argv[1]), report.encode())\n"
    "sys.exit(code)\n"
)


@dataclass
class Measurement:
    command: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    tree_peak_mib: float
    largest_process_mib: float
    cpu_seconds: float = 0.0

    @property
    def peak_mib(self) -> float:
        return max(self.tree_peak_mib, self.largest_process_mib)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.extend(int(child) for child in text.split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def tree_rss_kib(root: int, include_root: bool = True) -> int:
    """Sum of VmRSS (KiB) of ``root`` and all its descendants right now."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid != root or include_root:
            total += _rss_kib(pid)
        stack.extend(_children(pid))
    return total


def run(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.05,
) -> Measurement:
    """Run ``command`` to completion; returns its wall time, output and peak memory."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(write_end), *command],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=err,
            pass_fds=(write_end,),
            text=True,
        )
        os.close(write_end)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss_kib(process.pid, include_root=False))
            time.sleep(interval)
        seconds = time.perf_counter() - started
        with os.fdopen(read_end) as pipe:
            reported = pipe.read().split()
        out.seek(0)
        err.seek(0)
        return Measurement(
            command=command,
            seconds=seconds,
            returncode=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
            tree_peak_mib=peak / 1024,
            largest_process_mib=int(reported[0]) / 1024 if reported else 0.0,
            cpu_seconds=float(reported[1]) if len(reported) > 1 else 0.0,
        )
