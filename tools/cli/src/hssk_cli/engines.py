"""The two real engines of the local stack: an Apache Kafka broker (KRaft, jars from Maven
Central via infra/kafka/pom.xml) and FerretDB v1 on SQLite (built from infra/ferretdb)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from hssk_cli import procs
from hssk_cli.paths import Layout

KAFKA_PORT = 9092
CONTROLLER_PORT = 9093
MONGO_PORT = 27017

NEEDS = {
    "java": "a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)",
    "mvn": "Apache Maven (Debian: apt-get install -y maven)",
    "go": "Go 1.22+ (https://go.dev/doc/install, or Debian: apt-get install -y golang)",
    "git": "git (Debian: apt-get install -y git)",
    "npm": "npm (Debian: apt-get install -y npm)",
}
AXE_CORE = "4.10.3"  # the accessibility rules the browser tests run inside every page


def require_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise SystemExit(
            "hssk: missing " + "; ".join(f"`{t}`: install {NEEDS[t]}" for t in missing)
        )


def _fingerprint(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _build_once(stamp: Path, fingerprint: str, build) -> None:
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    build()
    stamp.write_text(fingerprint)


def _run(argv: list[str], what: str, cwd: Path) -> None:
    print(f"hssk: {what} …", file=sys.stderr, flush=True)
    # The build directories sit inside this repository: git must not treat them as part of it
    # (`git apply` would silently skip every path of a patch).
    env = {**os.environ, "GOFLAGS": "-mod=readonly", "GIT_CEILING_DIRECTORIES": str(cwd.parent)}
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(
            f"hssk: {what} failed ({' '.join(argv[:3])} …):\n"
            + (result.stdout + result.stderr)[-3000:]
        )


def kafka_libs(layout: Layout) -> Path:
    pom = layout.root / "infra" / "kafka" / "pom.xml"
    libs = layout.cache / "kafka" / "libs"

    def build() -> None:
        require_tools("java", "mvn")
        shutil.rmtree(libs, ignore_errors=True)
        _run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={libs}",
            ],
            "fetching Kafka jars from Maven Central",
            pom.parent,
        )

    _build_once(layout.cache / "kafka" / ".stamp", _fingerprint(pom), build)
    return libs


def axe_core(layout: Layout) -> Path:
    """axe-core's browser bundle, fetched once from the npm registry into the cache: the
    browser tests inject it into each page they open (nothing is served to citizens)."""
    folder = layout.cache / "axe-core"

    def fetch() -> None:
        require_tools("npm")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
             f"axe-core@{AXE_CORE}"],
            f"fetching axe-core {AXE_CORE} from the npm registry",
            folder,
        )  # fmt: skip

    _build_once(layout.cache / ".axe-core.stamp", AXE_CORE, fetch)
    return folder / "node_modules" / "axe-core" / "axe.min.js"


FERRETDB_MODULE = "github.com/FerretDB/FerretDB"


def ferretdb_binary(layout: Layout) -> Path:
    """Build infra/ferretdb against FerretDB v1.24.2 with infra/ferretdb/patches applied: the
    module is copied out of Go's module cache, patched, and swapped in by a `replace` in a
    build-only go.mod (the committed go.mod and go.sum stay the upstream ones)."""
    src = layout.root / "infra" / "ferretdb"
    binary = layout.cache / "bin" / "ferretdb"
    patches = sorted((src / "patches").glob("*.patch"))

    def build() -> None:
        require_tools("go", "git")
        binary.parent.mkdir(parents=True, exist_ok=True)
        patched = _patched_module(layout, src, patches)
        modfile = layout.cache / "ferretdb-build" / "go.mod"
        modfile.write_text(
            (src / "go.mod").read_text() + f"\nreplace {FERRETDB_MODULE} => {patched}\n"
        )
        shutil.copyfile(src / "go.sum", modfile.with_suffix(".sum"))
        _run(
            ["go", "build", f"-modfile={modfile}", "-trimpath", "-o", str(binary), "."],
            "building FerretDB v1.24.2 (first time takes a minute or two)",
            src,
        )

    (layout.cache / "bin").mkdir(parents=True, exist_ok=True)
    _build_once(
        layout.cache / "bin" / ".ferretdb.stamp",
        _fingerprint(*sorted(src.glob("*.go")), src / "go.mod", src / "go.sum", *patches),
        build,
    )
    return binary


def _patched_module(layout: Layout, src: Path, patches: list[Path]) -> Path:
    found = subprocess.run(
        ["go", "mod", "download", "-json", FERRETDB_MODULE],
        cwd=src,
        capture_output=True,
        text=True,
        env={**os.environ, "GOFLAGS": "-mod=readonly"},
    )
    if found.returncode != 0:
        raise SystemExit(f"hssk: cannot download {FERRETDB_MODULE}:\n{found.stderr[-2000:]}")
    upstream = Path(json.loads(found.stdout)["Dir"])
    patched = layout.cache / "ferretdb-build" / "FerretDB"
    shutil.rmtree(patched, ignore_errors=True)
    shutil.copytree(upstream, patched)
    for path in patched.rglob("*"):  # the module cache is read-only
        path.chmod(path.stat().st_mode | 0o200)
    for patch in patches:
        # --check first: a patch that no longer fits fails the build instead of being skipped.
        _run(["git", "apply", "--check", str(patch)], f"checking {patch.name}", patched)
        _run(["git", "apply", str(patch)], f"patching FerretDB: {patch.name}", patched)
    return patched


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def start_kafka(layout: Layout, timeout_s: float = 90) -> None:
    if procs.pid_of(layout, "kafka") and port_open(KAFKA_PORT):
        return
    require_tools("java")
    libs = kafka_libs(layout)
    data = layout.data / "kafka"
    conf = layout.run / "kafka.properties"
    conf.write_text(_kafka_properties(data))
    log4j = layout.run / "kafka-log4j.properties"
    log4j.write_text(_LOG4J)
    classpath = f"{libs}/*"
    if not (data / "meta.properties").exists():
        data.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "java",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                str(uuid.uuid4().hex[:22]),
                "-c",
                str(conf),
            ],
            "formatting Kafka storage (KRaft)",
            layout.root,
        )
    pid = procs.start(
        layout,
        "kafka",
        [
            "java",
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{log4j}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(conf),
        ],
    )
    procs.wait_for(
        "Kafka broker", lambda: port_open(KAFKA_PORT), timeout_s, layout.logs / "kafka.log", pid
    )


def start_ferretdb(layout: Layout, timeout_s: float = 60) -> None:
    if procs.pid_of(layout, "ferretdb") and port_open(MONGO_PORT):
        return
    binary = ferretdb_binary(layout)
    pid = procs.start(
        layout,
        "ferretdb",
        [str(binary), "-listen", f"127.0.0.1:{MONGO_PORT}", "-dir", str(layout.data / "ferretdb")],
    )
    procs.wait_for(
        "FerretDB", lambda: port_open(MONGO_PORT), timeout_s, layout.logs / "ferretdb.log", pid
    )


def _kafka_properties(data: Path) -> str:
    return f"""# Written by `hssk dev up`; single-node KRaft broker for local work and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{CONTROLLER_PORT}
listeners=PLAINTEXT://127.0.0.1:{KAFKA_PORT},CONTROLLER://127.0.0.1:{CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:{KAFKA_PORT}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
auto.create.topics.enable=false
num.partitions=1
offsets.topic.num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.check.interval.ms=60000
"""


_LOG4J = """log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""
