"""Child processes die with their parent: a SIGKILLed bot must not leave workers behind holding memory.

A worker process calls `die_with_parent(parent_pid)` first thing. On Linux the kernel kills it when its parent
dies (prctl PR_SET_PDEATHSIG); everywhere, a watchdog thread also notices that the parent is gone (the worker's
parent pid changes when it is re-parented) and ends the process within a second.

The kernel's signal follows the thread that started the worker, not the process: a process pool starts its
workers from the thread that submits work (the event loop's) or from its own manager thread, both of which
live as long as the pool.
"""

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when `parent_pid` (its parent) ends; exit now if it is already gone."""
    _ask_kernel()
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request above took effect
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


def _ask_kernel() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog below still applies


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # no cleanup: whoever could use this process's work is gone
