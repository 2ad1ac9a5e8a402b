"""Time from fork to the first output containing MARKER, on a real pseudo-terminal of 80x24.

usage: python3 bench/pty-first-output.py MARKER COMMAND [ARGS...]   -> prints milliseconds
Python's own start-up is not counted: the clock starts just before the fork.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

marker = sys.argv[1].encode()
argv = sys.argv[2:]
started = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
seen = b""
elapsed = None
deadline = started + 30
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if marker in seen:
        elapsed = (time.monotonic() - started) * 1000
        break
os.kill(pid, signal.SIGTERM)
try:
    while select.select([fd], [], [], 2)[0] and os.read(fd, 65536):
        pass
except OSError:
    pass
os.waitpid(pid, 0)
if elapsed is None:
    sys.exit("never saw %r: %r" % (marker, seen[-400:]))
print("%.1f" % elapsed)
