/**
 * The node's own python3 for the drill's helper programs (the fanotify watcher, the service's shim):
 * a version manager's shim costs a shell script and ~150 ms before python starts. They run isolated
 * (-I) without site packages (-S): they need only the standard library.
 */
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
