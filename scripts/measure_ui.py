#!/usr/bin/env python3
"""Measures the real satui UI from the outside, in a pseudo-terminal (see BENCHMARKS.md).

    python3 scripts/measure_ui.py target/release/satui STORE.db [--presses 300]

Reports:
  * time from process start to the first frame, and to the first frame that shows the loaded
    list ("... of <total>") with the selected account's detail;
  * per key press, the time until the terminal receives the first byte of the redraw (the UI
    thread's response) and until output goes quiet (the frame with the database result);
  * resident memory (VmRSS, and the peak VmHWM) from /proc/PID/status after browsing.
The terminal is 120x40; NO_COLOR is set so the output is plain.
"""

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import termios
import time

QUIET = 0.03  # seconds without output that end a redraw


def read_until(fd, predicate, timeout):
    """Reads until predicate(buffer) holds; returns (buffer, time of the last chunk)."""
    buf = b""
    deadline = time.perf_counter() + timeout
    last = None
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            buf += chunk
            last = time.perf_counter()
            if predicate(buf):
                return buf, last
    raise TimeoutError(f"timed out; got {buf[-400:]!r}")


def drain(fd, quiet=QUIET, timeout=2.0):
    """Reads until the output has been quiet for `quiet` seconds; returns (first, last) times."""
    first = last = None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            break
        os.read(fd, 65536)
        now = time.perf_counter()
        first = first or now
        last = now
    return first, last


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("satui")
    ap.add_argument("db")
    ap.add_argument("--presses", type=int, default=300)
    args = ap.parse_args()

    env = dict(os.environ, NO_COLOR="1", TERM="xterm-256color")
    env.pop("SATUI_DB", None)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args.satui, [args.satui, "--db", args.db], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        # One buffer from the start: the first chunk may already hold the loaded list.
        buf, first_frame = read_until(fd, lambda b: b"satui" in b, 10)
        # Once loaded, the list and the detail pane show logins ("sa-<org>-..."). ratatui only
        # writes changed cells, so match a short run without spaces.
        if b"sa-" in buf:
            loaded = first_frame
        else:
            _, loaded = read_until(fd, lambda b: b"sa-" in b, 10)
        drain(fd)
        print(f"first frame from process start:        {1000 * (first_frame - started):7.1f} ms")
        print(f"first frame with list + detail loaded: {1000 * (loaded - started):7.1f} ms")

        keys = [b"j", b"j", b"j", b"k", b"\x1b[6~", b"\x1b[6~", b"j", b"\x1b[5~", b"G", b"k", b"g",
                b"/", b"e", b"x", b"p", b"\x7f", b"\x7f", b"\x7f", b"\x1b", b"j"]
        to_first, to_last = [], []
        for i in range(args.presses):
            key = keys[i % len(keys)]
            sent = time.perf_counter()
            os.write(fd, key)
            first, last = drain(fd)
            if first is not None:
                to_first.append(1000 * (first - sent))
                to_last.append(1000 * (last - sent))
        rss, hwm = vm(pid, "VmRSS"), vm(pid, "VmHWM")

        def summary(values):
            values = sorted(values)
            p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
            return f"median {statistics.median(values):6.2f} ms  p99 {p99:6.2f} ms  worst {values[-1]:6.2f} ms"

        print(f"{len(to_first)} key presses ({args.presses} sent), pty round trip included:")
        print(f"  key -> first byte of redraw:  {summary(to_first)}")
        print(f"  key -> output quiet ({int(QUIET * 1000)} ms gap, minus the gap): "
              f"{summary([v for v in to_last])}")
        print(f"memory after browsing: VmRSS {rss:.1f} MiB, peak VmHWM {hwm:.1f} MiB")
    finally:
        os.write(fd, b"\x1b")
        time.sleep(0.2)  # a lone Esc, not Alt+q
        os.write(fd, b"q")
        try:
            drain(fd, timeout=2)
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
        if status != 0:
            print(f"satui exited with status {status}")


if __name__ == "__main__":
    main()
