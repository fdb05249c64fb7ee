#!/usr/bin/env python3
"""Peak RSS of `assetui list --limit 5` and of the browser against the
hostile servers of benches/hostile_server.py (issue 20, BENCHMARKS.md).

    python3 benches/hostile_server.py worst 18401 &
    python3 benches/hostile_server.py endless 18402 &
    python3 benches/hostile_server.py extras 18403 &
    python3 benches/hostile_rss.py target/release/assetui 5

The browser runs in a pseudo-terminal (120x40) for 6 s, long enough to load
its first page and the collections at launch, then gets `q`. Prints, per
case, the range of peak RSS over the runs and the last status line seen.
"""

import fcntl
import os
import pty
import re
import select
import struct
import sys
import tempfile
import termios
import time

BIN = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
SERVERS = {"worst page": 18401, "endless tokens": 18402, "extras page": 18403}


def env(home):
    e = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "XDG_CONFIG_HOME": home + "/config",
        "XDG_STATE_HOME": home + "/state",
        "XDG_CACHE_HOME": home + "/cache",
        "TERM": "xterm-256color",
    }
    return e


def run_cli(port):
    with tempfile.TemporaryDirectory() as home:
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execve(BIN, [BIN, "--base-url", f"http://127.0.0.1:{port}/v1",
                            "--api-key", "k", "--api-secret", "s", "list", "--limit", "5"], env(home))
        _, status, usage = os.wait4(pid, 0)
        return usage.ru_maxrss, os.waitstatus_to_exitcode(status), ""


def run_browser(port, seconds=6.0):
    with tempfile.TemporaryDirectory() as home:
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(BIN, [BIN, "--base-url", f"http://127.0.0.1:{port}/v1",
                            "--api-key", "k", "--api-secret", "s", "--image-protocol", "none"],
                      env(home))
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        screen = b""
        end = time.time() + seconds
        quit_sent = False
        while True:
            now = time.time()
            if now >= end and not quit_sent:
                os.write(fd, b"q")
                quit_sent = True
                end = now + 5
            elif now >= end:
                os.kill(pid, 15)
                break
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                screen += data
                # answer the terminal probe's DA1 so startup does not wait
                if b"\x1b[c" in data:
                    os.write(fd, b"\x1b[?62;c")
        _, status, usage = os.wait4(pid, 0)
        os.close(fd)
        text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b" ", screen).decode("utf-8", "replace")
        notes = re.findall(r"(one page holds[^│\n]{0,40}|showing the first[^│\n]{0,40}|stopped[^│\n]{0,40})", text)
        return usage.ru_maxrss, os.waitstatus_to_exitcode(status), notes[-1] if notes else ""


for name, port in SERVERS.items():
    for label, fn in (("list --limit 5", run_cli), ("browser", run_browser)):
        peaks = []
        note = ""
        for _ in range(RUNS):
            kb, code, seen = fn(port)
            peaks.append(kb / 1024)
            note = seen or note
        print(f"{name:15} {label:15} peak RSS {min(peaks):6.1f}-{max(peaks):6.1f} MiB "
              f"over {RUNS} runs (exit {code}) {note!r}")
