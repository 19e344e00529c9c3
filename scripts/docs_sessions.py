#!/usr/bin/env python3
"""Re-records the console sessions of the docs from the real release binary.

    cargo build --release
    python3 scripts/docs_sessions.py            # rewrite the outputs in docs/guide/cli.md
    python3 scripts/docs_sessions.py --check    # only say which sessions changed in shape

A session is a ```console block of `$ command` lines, each followed by its output. For every
Markdown file under docs/ and docs/guide/ (docs/http-api.md is curl against a server, and is left
alone) the blocks are replayed in order, in ONE bash process per file:

  * /tmp/satui-docs (the directory the sessions name) is wiped and recreated 0700 when a file
    starts; every block starts with that directory as its working directory, which holds a
    symlink `assets` to the repository's assets/ (so `assets/...` paths work while token files
    the sessions write, such as token.txt, stay out of the repository);
  * `export SATUI_DB=...` and other shell state carry over from block to block, so a block without
    its own export continues the store of the block above it (as the prose says); a block that
    exports a new docs-N.db starts on a fresh store;
  * target/release comes first on PATH, NO_COLOR=1, TZ=UTC, stdin is /dev/null and stderr is
    merged into stdout in order, as the docs show both;
  * a block may be preceded by a hidden setup, an HTML comment that is run (silently) in the same
    shell right before the block's commands:

        <!-- docs-sessions setup
        mkdir repo && cd repo
        ...
        -->

    The setup can call `satui_demo_store PATH`, which builds the demo store at PATH (it runs
    `satui demo --db PATH` in a pseudo-terminal and quits it with Ctrl-C).

The commands are kept exactly; only the lines under each `$ ` line are replaced. Blank lines that
end a command's output in the doc are kept as separators. Token strings, hints, dates and times in
the new outputs are whatever the run produced: the stores are throwaway ones, deleted at the end
(--keep keeps /tmp/satui-docs). The script refuses to write a token that appeared in the old text.

--check re-records in memory and compares each block with the doc after normalising what changes
from run to run (tokens, hints, dates, times, durations, timestamps, relative days, column
padding); it lists the blocks that changed in shape and exits 1 if any did.
"""

import argparse
import difflib
import fcntl
import os
import pty
import re
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/satui-docs")
SKIP = {"http-api.md"}
FENCE_OPEN = "```console"
FENCE_CLOSE = "```"
SETUP_OPEN = "<!-- docs-sessions setup"
TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_])sat_[A-Za-z0-9]{38}(?![A-Za-z0-9_])")


class Block:
    """One ```console block: where it is, its hidden setup, and its commands with outputs."""

    def __init__(self, path, start, end, setup, prefix, commands):
        self.path = path  # the Markdown file
        self.start = start  # index of the ```console line
        self.end = end  # index of the closing ``` line
        self.setup = setup  # list of shell lines, or []
        self.prefix = prefix  # lines before the first `$ ` line (kept)
        self.commands = commands  # list of (command lines, output lines)

    @property
    def where(self):
        return f"{self.path.relative_to(REPO)}:{self.start + 1}"


def parse_blocks(path, lines):
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() != FENCE_OPEN:
            i += 1
            continue
        start = i
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != FENCE_CLOSE:
            end += 1
        if end == len(lines):
            sys.exit(f"{path}:{start + 1}: unclosed ```console block")
        blocks.append(
            Block(path, start, end, find_setup(lines, start), *split_commands(lines[start + 1 : end]))
        )
        i = end + 1
    return blocks


def find_setup(lines, fence):
    """The hidden setup comment that ends right above the fence (blank lines between allowed)."""
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0 or lines[j].strip() != "-->":
        return []
    k = j - 1
    while k >= 0 and not lines[k].startswith("<!--"):
        k -= 1
    if k < 0 or lines[k].strip() != SETUP_OPEN:
        return []
    return lines[k + 1 : j]


def split_commands(body):
    prefix = []
    commands = []
    i = 0
    while i < len(body) and not body[i].startswith("$ "):
        prefix.append(body[i])
        i += 1
    while i < len(body):
        command = [body[i]]
        i += 1
        # A command ending in a backslash goes on over `> ` continuation lines.
        while command[-1].endswith("\\") and i < len(body) and body[i].startswith("> "):
            command.append(body[i])
            i += 1
        output = []
        while i < len(body) and not body[i].startswith("$ "):
            output.append(body[i])
            i += 1
        commands.append((command, output))
    return prefix, commands


def shell_text(command):
    """The shell source of a command as shown (`$ ` and `> ` prompts removed)."""
    return "\n".join(line[2:] for line in command)


def record_file(path, blocks, binary):
    """Replays a file's blocks in one bash process; returns {block index: [outputs]}."""
    nonce = secrets.token_hex(8)

    # A marker line between outputs; it keeps $? for commands like `echo $?`.
    def mark(tag):
        return f"__ds_rc=$?; printf '%s\\n' '@@docs-sessions-{nonce}:{tag}@@'; __ds_status $__ds_rc"

    script = [
        "exec 2>&1",
        "__ds_status() { return $1; }",
        f"satui_demo_store() {{ {sh_quote(sys.executable)} {sh_quote(str(Path(__file__).resolve()))} "
        f'--demo-store "$1" --bin {sh_quote(str(binary))}; }}',
    ]
    for b, block in enumerate(blocks):
        script.append(mark(f"{b}-setup"))
        script.append(f"cd {sh_quote(str(WORK))}")
        script.extend(block.setup)
        for c, (command, _) in enumerate(block.commands):
            script.append(mark(f"{b}-{c}"))
            script.append(shell_text(command))
    script.append(mark("end"))

    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUI_")}
    env.update(
        PATH=f"{binary.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        NO_COLOR="1",
        TZ="UTC",
        XDG_CONFIG_HOME=str(WORK / ".config"),
        XDG_DATA_HOME=str(WORK / ".local-share"),
    )
    env.pop("CLICOLOR_FORCE", None)
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=WORK,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
    )
    text = result.stdout.decode("utf-8", errors="replace")
    parts = re.split(rf"@@docs-sessions-{nonce}:([\w-]+)@@\n", text)
    if parts[0]:
        print(f"{path.relative_to(REPO)}: output before the first block:\n{parts[0]}", file=sys.stderr)
    outputs = {}
    for tag, out in zip(parts[1::2], parts[2::2]):
        if tag == "end":
            continue
        b, c = tag.split("-")
        if c == "setup":
            if out.strip():
                print(f"{blocks[int(b)].where}: the setup printed:\n{out}", file=sys.stderr)
            continue
        outputs.setdefault(int(b), {})[int(c)] = out
    recorded = {}
    for b, block in enumerate(blocks):
        got = outputs.get(b, {})
        if len(got) != len(block.commands):
            sys.exit(f"{block.where}: got {len(got)} of {len(block.commands)} outputs; bash said:\n{text[-2000:]}")
        recorded[b] = [got[c] for c in range(len(block.commands))]
    return recorded


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def render_block(block, outputs):
    """The block's lines between the fences, with the new outputs."""
    lines = list(block.prefix)
    for (command, old), new in zip(block.commands, outputs):
        separators = 0
        while separators < len(old) and not old[len(old) - 1 - separators].strip():
            separators += 1
        new_lines = new.split("\n")
        while new_lines and not new_lines[-1].strip():
            new_lines.pop()
        lines.extend(command)
        lines.extend(line.rstrip() for line in new_lines)
        lines.extend([""] * separators)
    return lines


NORMALISE = [
    (TOKEN_RE, "sat_<token>"),
    (re.compile(r"sat_…[A-Za-z0-9]{4}"), "sat_…<hint>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?Z?)?"), "<date>"),
    (re.compile(r"\b\d+(\.\d+)? (s|ms)\b"), "<duration>"),
    (re.compile(r"\b1\d{9}\b"), "<timestamp>"),
    (re.compile(r"\b\d+ (d|h|min) ago\b"), "<ago>"),
    (re.compile(r"\bin \d+ d\b"), "in <days>"),
    (re.compile(r"[ \t]+"), " "),
]


def normalise(lines):
    out = []
    for line in lines:
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        out.append(line.strip())
    return out


def make_demo_store(path, binary):
    """`satui demo --db PATH` in a pseudo-terminal, quit with Ctrl-C once the UI has drawn."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUI_")}
    env.update(NO_COLOR="1", TERM="xterm-256color")
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(binary, [binary, "demo", "--db", path], env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    received = b""
    deadline = time.monotonic() + 30
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
        elif not sent and len(received) > 500 and os.path.exists(path):
            os.write(fd, b"\x03")
            sent = True
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    if not os.path.exists(path) or os.waitstatus_to_exitcode(status) != 0:
        tail = received[-600:].decode("utf-8", errors="replace")
        sys.exit(f"satui demo --db {path} failed (status {status}): {tail}")


def prepare_work():
    if WORK.is_symlink():
        sys.exit(f"{WORK} is a symlink; refusing to use it")
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(mode=0o700)
    os.chmod(WORK, 0o700)
    (WORK / "assets").symlink_to(REPO / "assets")


def doc_files(args):
    if args.files:
        return [Path(f).resolve() for f in args.files]
    files = sorted((REPO / "docs").glob("*.md")) + sorted((REPO / "docs" / "guide").glob("*.md"))
    return [f for f in files if f.name not in SKIP]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="Markdown files (default: docs/*.md and docs/guide/*.md)")
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 if a session changed in shape")
    ap.add_argument("--bin", default=str(REPO / "target" / "release" / "satui"), help="the satui binary")
    ap.add_argument("--keep", action="store_true", help=f"keep {WORK} afterwards")
    ap.add_argument("--demo-store", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    binary = Path(args.bin).resolve()
    if args.demo_store:
        make_demo_store(args.demo_store, str(binary))
        return 0
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary}: not found; run `cargo build --release` first")
    newest_src = max(p.stat().st_mtime for p in (REPO / "src").rglob("*.rs"))
    if newest_src > binary.stat().st_mtime:
        print(f"warning: {binary} is older than src/; run `cargo build --release`", file=sys.stderr)

    changed = []
    try:
        for path in doc_files(args):
            text = path.read_text(encoding="utf-8")
            lines = text.split("\n")
            blocks = parse_blocks(path, lines)
            if not blocks:
                continue
            prepare_work()
            recorded = record_file(path, blocks, binary)
            new_lines = list(lines)
            # Replace from the last block up, so earlier indices stay valid.
            for b in reversed(range(len(blocks))):
                block = blocks[b]
                old_body = lines[block.start + 1 : block.end]
                new_body = render_block(block, recorded[b])
                if normalise(old_body) != normalise(new_body):
                    changed.append(block.where)
                    if args.check:
                        diff = difflib.unified_diff(
                            normalise(old_body), normalise(new_body), block.where + " (doc)", "(now)", lineterm="", n=1
                        )
                        print("\n".join(diff))
                new_lines[block.start + 1 : block.end] = new_body
            new_text = "\n".join(new_lines)
            # Fresh stores mint fresh tokens: one that was in the file already means a stale store.
            new_outputs = "\n".join("\n".join(o) for o in recorded.values())
            if set(TOKEN_RE.findall(new_outputs)) & set(TOKEN_RE.findall(text)):
                sys.exit(f"{path}: a recorded token appeared in the old text; not writing")
            if not args.check and new_text != text:
                path.write_text(new_text, encoding="utf-8")
                print(f"rewrote {path.relative_to(REPO)} ({len(blocks)} sessions)")
    finally:
        if not args.keep and WORK.exists() and not WORK.is_symlink():
            shutil.rmtree(WORK)
    if changed:
        print(("changed in shape: " if args.check else "sessions whose shape changed: ") + ", ".join(changed))
    else:
        print("every session matches the binary (up to tokens, dates and durations)")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
