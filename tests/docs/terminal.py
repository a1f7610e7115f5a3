"""A reader's terminal for one document: runs its sessions in order and reports drift.

Each document gets a scratch directory that looks like a checkout of the project (every top-level
entry is a symlink to the real one, except ``examples/``, which is copied so that samples may edit
files there) and runs its commands there with ``bash``. What carries from one command to the next
is what a terminal keeps: ``export NAME=VALUE``, ``cd``, and ``$?``.

- Paths under ``/tmp/`` in commands are mapped into the scratch directory, and fixed ports
  (``--port 16443``, ``127.0.0.1:18078``) to free ones, so that documents can run side by side;
  the output is mapped back before it is compared.
- A command that does not end by itself (``kro dev`` without ``--exit-after-demo``, ``kro
  controller``, a ``… &`` command, or one whose sample ends with ``^C``) runs in the background: its
  output is compared as soon as it fits the sample (or after a timeout), then it is stopped (``^C``)
  or left running until the document ends. After a ``kro dev`` with a controller starts, the test
  waits until the ResourceGraphDefinition CRD is served, as switching to a second terminal does.
- When a command needs a cluster (``kubectl``, ``kro status``) and none was exported yet, the test
  starts a ``kro dev`` of its own for the document and exports its kubeconfig.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.docs.sessions import WILD, Block, Command, matches, normalize

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
COMMAND_TIMEOUT = 120.0
BACKGROUND_TIMEOUT = 90.0
EXPORT = re.compile(r"^export\s+([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*$")
BACKGROUND = re.compile(r"(?<!&)&\s*(#.*)?$")  # ``cmd &`` and ``cmd &    # a comment``
CD = re.compile(r"^cd\s+(\S+)\s*$")
PORT_IN_COMMAND = re.compile(r"(--port[ =]|127\.0\.0\.1:|localhost:)(\d{4,5})\b")


class Drift(AssertionError):
    """A sample's output differs from what the command prints now."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Background:
    command: str
    proc: subprocess.Popen[bytes]
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@dataclass
class Terminal:
    scratch: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = field(init=False)
    last_rc: int = 0
    ports: dict[str, str] = field(default_factory=dict)
    background: list[Background] = field(default_factory=list)
    harness_cluster: Background | None = None
    counter: int = 0

    def __post_init__(self) -> None:
        stamp = ROOT / ".venv" / ".kro-installed"
        if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
            # a session running scripts/setup.sh here would reinstall kro from the scratch copy
            raise Drift(".venv is older than pyproject.toml: run `bash scripts/setup.sh` first")
        self.scratch.mkdir(parents=True, exist_ok=True)
        for entry in ROOT.iterdir():
            if entry.name in (".git", "examples"):
                continue
            (self.scratch / entry.name).symlink_to(entry)
        shutil.copytree(ROOT / "examples", self.scratch / "examples")
        for d in ("tmp", "home", ".docs-test"):
            (self.scratch / d).mkdir()
        self.cwd = self.scratch
        self.env = {
            "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.scratch / "home"),
            "TMPDIR": str(self.scratch / "tmp"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "TERM": "dumb",
            "NO_COLOR": "1",
        }

    # ---- mapping between the document's world and the scratch directory ----

    def to_scratch(self, command: str) -> str:
        command = command.replace("/tmp/", f"{self.scratch}/tmp/")
        return PORT_IN_COMMAND.sub(lambda m: m.group(1) + self._port(m.group(2)), command)

    def _port(self, port: str) -> str:
        if port not in self.ports:
            self.ports[port] = str(_free_port())
        return self.ports[port]

    def from_scratch(self, text: str) -> str:
        text = text.replace(f"{self.scratch}/tmp/", "/tmp/").replace(f"{self.scratch}/", "")
        return text.replace(str(self.scratch), ".")

    # ---- running ----

    def run_block(self, block: Block) -> list[str]:
        """Run a block's commands; the drifts found (a failed setup stops the block)."""
        drifts: list[str] = []
        if block.log:
            return self._check_log(block)
        if block.fresh:
            self.start_harness_cluster()
        for line in block.setup:
            self._ensure_cluster(line)
            out, rc = self.run(line)
            if rc != 0:
                return [f"{block.where}: setup command failed ({rc}): {line}\n{self.from_scratch(out)}"]
        for command in block.commands:
            try:
                self.run_command(block, command)
            except Drift as e:
                drifts.append(str(e))
        return drifts

    def _check_log(self, block: Block) -> list[str]:
        """Every line of a log excerpt is in the log of the last server or controller started."""
        jobs = [j for j in self.background if j.command.split()[:2] in (["kro", "dev"], ["kro", "controller"])]
        if not jobs:
            return [f"{block.where}: a log excerpt, but no kro dev or kro controller is running"]
        job = jobs[-1]
        deadline = time.monotonic() + 30
        while True:
            logged = [self.from_scratch(x) for x in job.lines()]
            missing = [x for x in block.log if not matches([WILD, x, WILD], logged)]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if not missing:
            return []
        return [
            f"{block.where}: log lines that `{job.command}` did not log:\n"
            + "\n".join(missing)
            + "\n\nits log now:\n"
            + "\n".join(logged[-80:])
        ]

    def run_command(self, block: Block, command: Command) -> None:
        text = command.text
        self._ensure_cluster(text)
        if self._changes_state(text):
            return
        expected = list(command.expected)
        interrupted = bool(expected) and expected[-1].strip() == "^C"
        if interrupted:
            expected.pop()
        if interrupted or self._long_running(text):
            self._run_background(block, command, expected, stop=interrupted)
            return
        deadline = time.monotonic() + block.retry
        while True:
            out, rc = self.run(text)
            self.last_rc = rc
            actual = self.from_scratch(out).splitlines()
            if matches(expected, actual):
                return
            if time.monotonic() >= deadline:
                raise Drift(self._diff(block, command, expected, actual))
            time.sleep(0.5)

    def run(self, command: str) -> tuple[str, int]:
        script = f"(exit {self.last_rc})\n{self.to_scratch(command)}\n"
        res = subprocess.run(
            ["bash", "-c", script],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT,
        )
        return res.stdout.decode("utf-8", errors="replace"), res.returncode

    def _changes_state(self, text: str) -> bool:
        """``export`` and ``cd``, which a terminal keeps for the next command."""
        export = EXPORT.match(text)
        if export:
            self.env[export.group(1)] = self.to_scratch(export.group(2))
            self.last_rc = 0
            return True
        cd = CD.match(text)
        if cd:
            target = Path(self.to_scratch(cd.group(1)).replace("~", self.env["HOME"]))
            self.cwd = target if target.is_absolute() else (self.cwd / target).resolve()
            self.last_rc = 0
            return True
        return False

    @staticmethod
    def _long_running(text: str) -> bool:
        words = text.split()
        if BACKGROUND.search(text):
            return True
        if words[:2] == ["kro", "dev"]:
            return "--exit-after-demo" not in words
        return words[:2] == ["kro", "controller"] or text.startswith("bash scripts/dev.sh")

    def _run_background(self, block: Block, command: Command, expected: list[str], *, stop: bool) -> None:
        text = BACKGROUND.sub("", command.text.rstrip())
        self._stop_replaced(text)
        self.counter += 1
        log = self.scratch / ".docs-test" / f"background-{self.counter}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                ["bash", "-c", f"exec {self.to_scratch(text)}"],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        job = Background(text, proc, log)
        self.background.append(job)
        self.last_rc = 0
        deadline = time.monotonic() + BACKGROUND_TIMEOUT
        actual = [self.from_scratch(x) for x in job.lines()]
        while not matches(expected, actual, prefix=True):
            if time.monotonic() > deadline or proc.poll() is not None:
                actual = [self.from_scratch(x) for x in job.lines()]
                if matches(expected, actual, prefix=True):
                    break
                job.stop()
                raise Drift(self._diff(block, command, expected, actual))
            time.sleep(0.2)
            actual = [self.from_scratch(x) for x in job.lines()]
        if stop:
            job.stop()
            self.background.remove(job)
            return
        words = text.split()
        if words[:2] == ["kro", "dev"]:
            # a reader starts using a server once it says it is ready (and its controller is up)
            self._wait_line(job, "ready:")
            if "--no-controller" not in words:
                kubeconfig = next((x.split(": ", 1)[1] for x in job.lines() if x.startswith("kubeconfig: ")), None)
                if kubeconfig:
                    self._wait_rgd_crd(kubeconfig)

    def _wait_line(self, job: Background, start: str) -> None:
        deadline = time.monotonic() + 60
        while not any(x.startswith(start) for x in job.lines()):
            if time.monotonic() > deadline or job.proc.poll() is not None:
                raise Drift(f"{job.command}: no line starting {start!r}:\n" + "\n".join(job.lines()))
            time.sleep(0.1)

    def _stop_replaced(self, text: str) -> None:
        """A second ``kro dev`` on the same port or state directory replaces the first one, as a
        reader stops one server before starting the next with the same options."""
        words = text.split()
        if words[:2] != ["kro", "dev"]:
            return
        keys = {(w, words[i + 1]) for i, w in enumerate(words[:-1]) if w in ("--port", "--state-dir", "--kubeconfig")}
        for job in list(self.background):
            other = job.command.split()
            if other[:2] == ["kro", "dev"] and keys & {
                (w, other[i + 1]) for i, w in enumerate(other[:-1]) if w in ("--port", "--state-dir", "--kubeconfig")
            }:
                job.stop()
                self.background.remove(job)

    def _wait_rgd_crd(self, kubeconfig: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            res = subprocess.run(
                [str(BIN / "kubectl"), "--kubeconfig", kubeconfig, "get", "crd", "resourcegraphdefinitions.kro.run"],
                env=self.env,
                capture_output=True,
                timeout=30,
            )
            if res.returncode == 0:
                return
            time.sleep(0.2)
        raise Drift(f"the ResourceGraphDefinition CRD was not served within 60s ({kubeconfig})")

    # ---- the test's own cluster ----

    def _ensure_cluster(self, text: str) -> None:
        if "KUBECONFIG" in self.env or self.harness_cluster is not None:
            return
        if re.search(r"(^|[;&|(]\s*)(kubectl|kro status|helm)\b", text, re.M):
            self.start_harness_cluster()

    def start_harness_cluster(self) -> None:
        if self.harness_cluster is not None:
            self.harness_cluster.stop()
            self.background.remove(self.harness_cluster)
        self.counter += 1
        kubeconfig = self.scratch / ".docs-test" / f"cluster-{self.counter}" / "kubeconfig"
        log = self.scratch / ".docs-test" / f"cluster-{self.counter}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [str(BIN / "kro"), "dev", "--kubeconfig", str(kubeconfig)],
                cwd=self.scratch,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        job = Background("kro dev (started by the test)", proc, log)
        self.background.append(job)
        self.harness_cluster = job
        deadline = time.monotonic() + 60
        while not any(x.startswith("ready:") for x in job.lines()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise Drift("kro dev started by the test did not become ready:\n" + "\n".join(job.lines()))
            time.sleep(0.1)
        self._wait_rgd_crd(str(kubeconfig))
        self.env["KUBECONFIG"] = str(kubeconfig)

    def close(self) -> None:
        for job in reversed(self.background):
            job.stop()
        self.background.clear()

    def controller_logs(self) -> str:
        return "\n\n".join(f"== {job.command}\n" + "\n".join(job.lines()[-60:]) for job in self.background)

    # ---- reporting ----

    def _diff(self, block: Block, command: Command, expected: list[str], actual: list[str]) -> str:
        diff = difflib.unified_diff(
            [normalize(x) for x in expected],
            [normalize(x) for x in actual],
            "sample in the document (masked)",
            "output now (masked)",
            lineterm="",
            n=3,
        )
        return (
            f"{block.path.name}:{command.line}: the sample no longer matches what the command prints\n"
            f"$ {command.text}\n" + "\n".join(diff) + "\n\nfull output now:\n" + "\n".join(actual)
        )
