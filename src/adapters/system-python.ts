/**
 * The node's own python3 for the drill's helper programs (the fanotify watcher, the service's shim):
 * a version manager's shim costs a shell script and ~150 ms before python starts. They run isolated
 * (-I) without site packages (-S): they need only the standard library.
 */
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * Python the helper programs share, put in their source: a process's command line from /proc, as `ps`
 * shows it ("?" once it is gone).
 */
export const PY_COMMAND_OF = String.raw`
def command_of(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"
`;
