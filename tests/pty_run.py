#!/usr/bin/env python3
"""Run a command on a pseudo-terminal, as a person at a terminal would (tests of SPEC §13.5 prompts).

  pty_run.py [--answer REGEX=TEXT]... [--interrupt REGEX] [--transcript FILE] -- CMD ARGS...

Each --answer waits (in order) until the terminal shows REGEX, then types TEXT and Enter.
--interrupt waits for REGEX, then types Ctrl-C (the terminal sends SIGINT). Everything the
terminal shows is written to --transcript. Exit status: the command's, 128+N if signal N ended
it, 90 if an expected text never came (within 60 s), 91 if the terminal was left with echo off.
"""
import os
import pty
import re
import select
import signal
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    steps, transcript_path = [], None
    while args and args[0] != "--":
        if args[0] == "--answer":
            pattern, _, text = args[1].partition("=")
            steps.append((pattern, text.encode() + b"\n"))
        elif args[0] == "--interrupt":
            steps.append((args[1], b"\x03"))
        elif args[0] == "--transcript":
            transcript_path = args[1]
        else:
            sys.exit(f"pty_run.py: unknown option {args[0]}")
        args = args[2:]
    cmd = args[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = b""
    offset = 0  # each expected text is looked for after the previous one
    missing = None
    deadline = time.monotonic() + 60
    for pattern, text in steps:
        while not (m := re.search(pattern.encode(), seen[offset:])):
            if time.monotonic() > deadline:
                missing = pattern
                break
            r, _, _ = select.select([fd], [], [], 1)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    missing = pattern
                    break
                seen += chunk
        if missing:
            break
        time.sleep(0.2)  # the prompt is written before echo goes off: let the tool get to read()
        offset += m.end()
        os.write(fd, text)
    # Drain until the command closes the terminal; one that waits for more input, or that goes on
    # writing for a minute, is killed.
    drain_deadline = time.monotonic() + 60
    while True:
        try:
            r, _, _ = select.select([fd], [], [], 30)
            chunk = os.read(fd, 4096) if r else b""
        except OSError:
            chunk = b""
        if not r or time.monotonic() > drain_deadline:
            missing = missing or ("(the end: the command still waits for input)" if not r
                                  else "(the end: the command writes on and does not finish)")
            os.kill(pid, signal.SIGKILL)
            r = None
        if not chunk:
            break
        seen += chunk
    echo_on = True
    try:
        echo_on = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    except termios.error:
        pass
    _, status = os.waitpid(pid, 0)
    if transcript_path:
        with open(transcript_path, "wb") as f:
            f.write(seen)
    if missing:
        sys.stderr.write(f"pty_run.py: the terminal never showed /{missing}/\n")
        sys.exit(90)
    if not echo_on:
        sys.stderr.write("pty_run.py: the command left the terminal with echo off\n")
        sys.exit(91)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
