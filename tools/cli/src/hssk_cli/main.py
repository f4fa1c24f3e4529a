"""`hssk`: the developer's and operator's command for the local platform.

hssk dev up [--infra-only] | down [--services-only] | status | logs [NAME] [-f] | restart NAME
hssk token --role doctor --facility 01001
hssk demo [--citizens N --wards W --visits V]
hssk bench [--visits N --citizens M]
hssk dlq list|replay [--facility F] [--reason R] [--since T]
hssk simulate [--facilities N] [--rate R] [--seconds S | --visits V] [--mix json=0.5,...]
hssk identity import FILE [--source NAME] [--restart] [--batch N]
hssk identity link-batch FILE [--load] [--generate N]
hssk identity reblock [--after PERSON_ID]
hssk audit check | verify SUBJECT [--token T]
hssk records check | resend PERSON_ID... [--token T]
hssk notify outbox [--to X] [--clear]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import httpx

from hssk_cli import stack
from hssk_cli.paths import Layout, repo_root
from hssk_kit import devtokens
from hssk_kit.auth import ROLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hssk", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the local platform").add_subparsers(
        dest="action", required=True
    )
    up = dev.add_parser("up", help="build/start Kafka, FerretDB, topics and the four services")
    up.add_argument("--infra-only", action="store_true", help="only Kafka, FerretDB and topics")
    down = dev.add_parser("down", help="stop what `up` started (by pid)")
    down.add_argument("--services-only", action="store_true")
    dev.add_parser("status", help="show each component and its URL")
    logs = dev.add_parser("logs", help="show a component's log")
    logs.add_argument("name", nargs="?", default=None)
    logs.add_argument("-f", "--follow", action="store_true")
    restart = dev.add_parser("restart", help="restart one or more services")
    restart.add_argument("names", nargs="+", choices=list(stack.BY_NAME))

    token = sub.add_parser("token", help="mint a dev token the local services accept")
    token.add_argument("--role", required=True, choices=sorted(ROLES))
    token.add_argument("--facility")
    token.add_argument("--ward")
    token.add_argument("--person-id")
    token.add_argument("--subject")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")

    demo = sub.add_parser("demo", help="publish a small synthetic city's visits and wait for them")
    demo.add_argument("--citizens", type=int, default=2_000)
    demo.add_argument("--wards", type=int, default=6, help="split between Hà Nội and TP HCM")
    demo.add_argument("--visits", type=int, help="at most this many (the latest); default: all")

    bench = sub.add_parser("bench", help="measure end-to-end and raw engine throughput")
    bench.add_argument("--visits", type=int, default=5_000)
    bench.add_argument("--citizens", type=int, default=2_000)

    dlq = sub.add_parser("dlq", help="operators: list or replay dead letters (via ingest-emr)")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("--facility")
    dlq.add_argument("--reason", help="a rule, e.g. discharge_before_admission")
    dlq.add_argument("--since", help="ISO time, e.g. 2026-11-22T00:00:00+07:00")
    dlq.add_argument("--limit", type=int, default=100)
    dlq.add_argument("--token", help="an operator token (default: a local dev token)")
    dlq.add_argument("--dry-run", action="store_true", help="list what would be replayed")

    sim = sub.add_parser("simulate", help="hospitals sending visits: formats, errors, resends")
    sim.add_argument("--facilities", type=int, default=5)
    sim.add_argument("--rate", type=float, default=50.0, help="messages a second, in all")
    length = sim.add_mutually_exclusive_group()
    length.add_argument("--seconds", type=float, default=30.0)
    length.add_argument("--visits", type=int, help="messages to send (instead of --seconds)")
    sim.add_argument("--mix", default="json=0.5,xml=0.3,fhir=0.2")
    sim.add_argument("--malformed", type=float, default=0.02)
    sim.add_argument("--duplicates", type=float, default=0.05)
    sim.add_argument("--corrections", type=float, default=0.03)
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--citizens", type=int, default=2000)
    sim.add_argument("--truth", type=Path, help="default .hssk/simulate-<timestamp>.jsonl")

    identity = sub.add_parser("identity", help="the master citizen index").add_subparsers(
        dest="action", required=True
    )
    bulk = identity.add_parser("import", help="import a CSV of citizens through the matcher")
    bulk.add_argument("file", type=Path)
    bulk.add_argument("--source", help="name of the list (default: the file name)")
    bulk.add_argument("--restart", action="store_true", help="ignore the checkpoint")
    bulk.add_argument("--batch", type=int, default=500, help="rows resolved at once")
    batch = identity.add_parser(
        "link-batch", help="deduplicate a whole list (Splink), then --load it as persons"
    )
    batch.add_argument("file", type=Path)
    batch.add_argument("--load", action="store_true", help="load the persons through import")
    batch.add_argument("--generate", type=int, help="first write N synthetic rows (benchmarks)")
    batch.add_argument("--seed", type=int, default=14, help="of the synthetic rows")
    reblock = identity.add_parser(
        "reblock", help="file every person under today's blocking keys (after an upgrade)"
    )
    reblock.add_argument("--after", default="", help="resume after this person id")

    audit = sub.add_parser("audit", help="operators: the audit trail")
    audit.add_argument("action", choices=["check", "verify"])
    audit.add_argument("subject", nargs="?", help="verify: a person_id, or ops:<service>")
    audit.add_argument("--token", help="an operator token (default: a local dev token)")

    rec = sub.add_parser("records", help="operators: records kept true to their history")
    rec.add_argument(
        "action",
        choices=["check", "resend"],
        help="check: rebuild from events and compare; resend: announce again",
    )
    rec.add_argument("person_ids", nargs="+")
    rec.add_argument("--token", help="an operator token (default: a local dev token)")

    notify = sub.add_parser("notify", help="reminders").add_subparsers(dest="action", required=True)
    outbox = notify.add_parser("outbox", help="what the dev sandbox's providers would have sent")
    outbox.add_argument("--to", help="only this phone number, e-mail or device token")
    outbox.add_argument("--clear", action="store_true", help="empty the outbox")

    args = parser.parse_args(argv)
    layout = Layout(repo_root())
    if args.command == "dev":
        return _dev(layout, args)
    if args.command == "token":
        needed = {
            "citizen": "person_id",
            "doctor": "facility",
            "hospital": "facility",
            "ward_officer": "ward",
        }.get(args.role)
        if needed and not getattr(args, needed):
            parser.error(f"--role {args.role} needs --{needed.replace('_', '-')}")
        private, _ = devtokens.ensure_keys(layout.keys)
        print(
            devtokens.mint(
                private,
                role=args.role,
                subject=args.subject,
                facility=args.facility,
                ward=args.ward,
                person_id=args.person_id,
                ttl_s=args.ttl,
            )
        )
        return 0
    if args.command == "demo":
        from hssk_cli import demo as demo_mod

        return demo_mod.run(layout, args.visits, citizens=args.citizens, wards=args.wards)
    if args.command == "bench":
        from hssk_cli import bench as bench_mod

        return bench_mod.run(layout, visits=args.visits, citizens=args.citizens)
    if args.command == "dlq":
        from hssk_cli import dlq as dlq_mod

        return dlq_mod.run(
            layout,
            args.action,
            facility=args.facility,
            reason=args.reason,
            since=args.since,
            limit=args.limit,
            token=args.token,
            dry_run=args.dry_run,
        )
    if args.command == "simulate":
        from hssk_cli import simulate as simulate_mod

        return simulate_mod.run(layout, args)
    if args.command == "audit":
        from hssk_cli import audit as audit_mod

        if args.action == "check":
            return audit_mod.check()
        if not args.subject:
            parser.error("audit verify needs a SUBJECT (a person_id, or ops:<service>)")
        return audit_mod.verify(layout, args.subject, args.token)
    if args.command == "records":
        from hssk_cli import records as records_mod

        return records_mod.run(layout, args.action, args.person_ids, args.token)
    if args.command == "notify":
        return _outbox(layout, args.to, args.clear)
    if args.command == "identity" and args.action == "link-batch":
        from hssk_identity.batch_linkage.__main__ import main as link_batch
        from hssk_identity.bulk_import import importing

        def load(persons: Path) -> int:
            engines = importing.Engines(stack.MONGO_URL, stack.BOOTSTRAP)
            return importing.main(persons, source=args.file.stem, restart=False, batch=500,
                                  to=engines)  # fmt: skip

        flags = [*(["--load"] if args.load else []),
                 *(["--generate", str(args.generate), "--seed", str(args.seed)]
                   if args.generate else [])]  # fmt: skip
        return link_batch([str(args.file), *flags], load=load)
    if args.command == "identity" and args.action == "reblock":
        from hssk_identity import maintenance

        return maintenance.main(stack.MONGO_URL, after=args.after)
    if args.command == "identity":
        from hssk_identity.bulk_import import importing as bulk_import

        return bulk_import.main(
            args.file,
            source=args.source,
            restart=args.restart,
            batch=args.batch,
            to=bulk_import.Engines(stack.MONGO_URL, stack.BOOTSTRAP),
        )
    return 2


def _dev(layout: Layout, args: argparse.Namespace) -> int:
    if args.action == "up":
        stack.up(layout, services=not args.infra_only)
        _print_status(layout)
    elif args.action == "down":
        stopped = stack.down(layout, services_only=args.services_only)
        print("stopped: " + (", ".join(stopped) or "nothing was running"))
    elif args.action == "status":
        _print_status(layout)
    elif args.action == "restart":
        stack.down_services(layout, args.names)
        stack.start_services(layout, args.names)
        _print_status(layout)
    elif args.action == "logs":
        names = [args.name] if args.name else ["kafka", "ferretdb", "sandbox", *stack.BY_NAME]
        files = [str(layout.logs / f"{n}.log") for n in names]
        cmd = ["tail", "-n", "40", *(["-F"] if args.follow else []), *files]
        return subprocess.call(cmd)
    return 0


def _outbox(layout: Layout, to: str | None, clear: bool) -> int:
    """From the running sandbox, or from its file when it is not running."""
    from hssk_cli.sandbox import table

    path = stack.sandbox_outbox(layout)
    up = stack.sandbox_ready()
    if clear:
        if up:
            httpx.delete(f"{stack.SANDBOX_URL}/outbox", timeout=10).raise_for_status()
        path.unlink(missing_ok=True)
        print("the outbox is empty")
        return 0
    if up:
        params = {"to": to} if to else {}
        answer = httpx.get(f"{stack.SANDBOX_URL}/outbox", params=params, timeout=10)
        records = answer.raise_for_status().json()
    else:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        records = [r for r in map(json.loads, filter(None, lines)) if to in (None, r["to"])]
    print(table(records))
    return 0


def _print_status(layout: Layout) -> None:
    for name, line in stack.status(layout):
        print(f"  {name:11} {line}")


if __name__ == "__main__":
    sys.exit(main())
