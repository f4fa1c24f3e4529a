"""python -m hssk_cli.sandbox --smtp-port 2525 --http-port 8025 --outbox FILE
[--receipts-url URL --receipts-secret-file FILE]"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from hssk_cli.sandbox import Receipts, start


async def run(
    outbox: Path, host: str, smtp_port: int, http_port: int, receipts: Receipts | None
) -> None:
    running = await start(
        outbox, host=host, smtp_port=smtp_port, http_port=http_port, receipts=receipts
    )
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
    parser.add_argument("--receipts-url", help="notify's receipt webhook, e.g. …/v1/receipts")
    parser.add_argument("--receipts-secret-file", type=Path, help="the receipts' signing secret")
    args = parser.parse_args(argv)
    receipts = None
    if args.receipts_url and args.receipts_secret_file:
        secret = args.receipts_secret_file.read_bytes().strip()
        receipts = Receipts(args.receipts_url, secret)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line
    asyncio.run(run(args.outbox, args.host, args.smtp_port, args.http_port, receipts))


if __name__ == "__main__":
    main()
