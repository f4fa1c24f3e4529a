"""python -m hssk_cli.sandbox --smtp-port 2525 --http-port 8025 --outbox FILE"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from hssk_cli.sandbox import start


async def run(outbox: Path, host: str, smtp_port: int, http_port: int) -> None:
    running = await start(outbox, host=host, smtp_port=smtp_port, http_port=http_port)
    logging.getLogger("hssk.sandbox").info(
        "sandbox: SMTP on %s:%d, providers on %s, outbox %s",
        host,
        running.smtp_port,
        running.url,
        outbox,
    )
    await running.task  # uvicorn ends it on SIGINT / SIGTERM
    running.smtp.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hssk_cli.sandbox", description=__doc__)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--outbox", type=Path, required=True, help="a JSON-lines file")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line
    asyncio.run(run(args.outbox, args.host, args.smtp_port, args.http_port))


if __name__ == "__main__":
    main()
