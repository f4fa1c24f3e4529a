"""Background processes the stack starts, tracked by pid file so `down` stops only its own."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from hssk_cli.paths import Layout


def pid_of(layout: Layout, name: str) -> int | None:
    pid_file = layout.run / f"{name}.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    return pid


def start(
    layout: Layout,
    name: str,
    argv: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    running = pid_of(layout, name)
    if running:
        return running
    log = (layout.logs / f"{name}.log").open("ab")
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd or layout.root,
        start_new_session=True,
    )
    (layout.run / f"{name}.pid").write_text(str(proc.pid))
    return proc.pid


def stop(layout: Layout, name: str, timeout_s: float = 20) -> bool:
    pid = pid_of(layout, name)
    if not pid:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    (layout.run / f"{name}.pid").unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_for(
    what: str,
    probe: Callable[[], bool],
    timeout_s: float,
    log_file: Path | None = None,
    pid: int | None = None,
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return
        if pid is not None and not _alive(pid):
            raise SystemExit(
                f"hssk: {what} exited during start-up; see {log_file}\n" + _tail(log_file)
            )
        time.sleep(0.25)
    raise SystemExit(
        f"hssk: {what} not ready after {timeout_s:.0f}s; see {log_file}\n" + _tail(log_file)
    )


def _tail(log_file: Path | None, lines: int = 15) -> str:
    if not log_file or not log_file.exists():
        return ""
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
