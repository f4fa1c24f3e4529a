"""`hssk`: the developer's and operator's command for the local platform.

hssk dev up [--infra-only] | down [--services-only] | status | logs [NAME] [-f] | restart NAME
hssk token --role doctor --facility 01001
hssk demo [--visits N]
hssk bench [--visits N --citizens M]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

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

    demo = sub.add_parser("demo", help="publish synthetic demo visits and wait for them")
    demo.add_argument("--visits", type=int, default=200)

    bench = sub.add_parser("bench", help="measure end-to-end and raw engine throughput")
    bench.add_argument("--visits", type=int, default=20_000)
    bench.add_argument("--citizens", type=int, default=5_000)

    args = parser.parse_args(argv)
    layout = Layout(repo_root())
    if args.command == "dev":
        return _dev(layout, args)
    if args.command == "token":
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

        return demo_mod.run(layout, args.visits)
    if args.command == "bench":
        from hssk_cli import bench as bench_mod

        return bench_mod.run(layout, visits=args.visits, citizens=args.citizens)
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
        names = [args.name] if args.name else ["kafka", "ferretdb", *stack.BY_NAME]
        files = [str(layout.logs / f"{n}.log") for n in names]
        cmd = ["tail", "-n", "40", *(["-F"] if args.follow else []), *files]
        return subprocess.call(cmd)
    return 0


def _print_status(layout: Layout) -> None:
    for name, line in stack.status(layout):
        print(f"  {name:11} {line}")


if __name__ == "__main__":
    sys.exit(main())
