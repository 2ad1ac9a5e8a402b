/**
 * The open-file watcher: a small python3 program (ctypes, standard library only, so it runs on any
 * node that runs the service) on Linux's fanotify. Unlike sampling /proc it misses no open, however
 * quick (a loader that opens, reads and closes 64 MiB in 50 ms), and unlike inotify it says which pid
 * opened the file. It needs CAP_SYS_ADMIN (root). Sent on stdin:
 *   {"files": [abs paths], "dirs": [abs paths], "names": [base names], "sizes": [bytes]}
 * it marks each file, and each directory for opens of the files in it (FAN_EVENT_ON_CHILD: the
 * model caches), then prints
 *   {"ready": true, "dirs": [marked], "refused": [{"path", "error"}]}
 * and a line per open of a watched file, or of a file in a watched directory with a watched name or
 * size (marks on files and folders, not on a whole mount: the watcher hears of nothing else, and
 * costs nothing while the node opens its thousands of other files):
 *   {"pid", "ancestry": [pid, ppid, …], "command", "path", "size"}
 * It ends when its stdin closes.
 */
import { PY_COMMAND_OF } from './system-python.js';

export const FANOTIFY_WATCH_PY = String.raw`
import ctypes, json, os, select, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
FAN_CLOEXEC, FAN_CLASS_NOTIF, FAN_OPEN, FAN_EVENT_ON_CHILD = 0x1, 0x0, 0x20, 0x08000000
FAN_MARK_ADD, AT_FDCWD = 0x1, -100
META = struct.Struct("IBBHQii")

def fail(message):
    print(json.dumps({"ready": False, "error": message}), flush=True)
    sys.exit(1)

def errno_text():
    return os.strerror(ctypes.get_errno())

spec = json.loads(sys.stdin.readline())
fd = libc.fanotify_init(FAN_CLOEXEC | FAN_CLASS_NOTIF, os.O_RDONLY | os.O_LARGEFILE | os.O_CLOEXEC)
if fd < 0:
    fail("fanotify_init: " + errno_text())
files = set(spec["files"])
for path in files:
    if libc.fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path.encode()) != 0:
        fail("fanotify_mark " + path + ": " + errno_text())
marked, refused = [], []
for path in spec.get("dirs", []):
    if libc.fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD, path.encode()) == 0:
        marked.append(path)
    else:
        refused.append({"path": path, "error": errno_text()})
names, sizes = set(spec.get("names", [])), set(spec.get("sizes", []))
print(json.dumps({"ready": True, "dirs": marked, "refused": refused}), flush=True)

def ancestry(pid):
    chain = []
    while pid > 1 and len(chain) < 64:
        chain.append(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            break
        pid = int(stat[stat.rindex(")") + 2:].split(" ")[1])
    return chain

${PY_COMMAND_OF}
me = os.getpid()

def report(data):
    offset = 0
    while offset + META.size <= len(data):
        length, _, _, _, mask, event_fd, pid = META.unpack_from(data, offset)
        offset += length
        if event_fd < 0:
            continue
        try:
            if pid == me:
                continue
            path = os.readlink("/proc/self/fd/%d" % event_fd)
            size = os.fstat(event_fd).st_size
            if path in files or os.path.basename(path) in names or size in sizes:
                print(json.dumps({"pid": pid, "ancestry": ancestry(pid), "command": command_of(pid), "path": path, "size": size}), flush=True)
        except OSError:
            pass
        finally:
            os.close(event_fd)

while True:
    ready, _, _ = select.select([fd, sys.stdin], [], [])
    if fd in ready:
        report(os.read(fd, 65536))
    if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
        # Asked to stop: what the kernel still holds is told first.
        while select.select([fd], [], [], 0)[0]:
            report(os.read(fd, 65536))
        break
`;
