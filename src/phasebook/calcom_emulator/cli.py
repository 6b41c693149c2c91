"""`phasebook calcom_emulator`: serve the emulator on loopback, optionally seeded and faulty."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from phasebook.calcom_emulator.emulator import CalcomEmulator
from phasebook.calcom_emulator.faults import FAULT_MODES
from phasebook.calcom_emulator.server import serve_forever


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", help="seed a user 'demo' with this API key")
    parser.add_argument("--username", default="demo", help="username for --api-key")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="probability (0..1) that an API request gets --fault-mode",
    )
    parser.add_argument("--fault-mode", choices=FAULT_MODES, default="server_error")
    parser.add_argument("--latency-ms", type=int, default=0, help="add latency to every request")
    parser.add_argument("--seed", type=int, default=0, help="random seed for --fault-rate")
    parser.add_argument("--rate-limit", type=int, default=120, help="requests/minute per key")


def build_emulator(options: argparse.Namespace) -> CalcomEmulator:
    emulator = CalcomEmulator(seed=options.seed, rate_limit=options.rate_limit)
    if options.api_key:
        emulator.seed_user(options.username, api_key=options.api_key)
    if options.latency_ms:
        emulator.inject_fault("latency", count=None, latency_ms=options.latency_ms)
    if options.fault_rate:
        emulator.inject_fault(options.fault_mode, count=None, probability=options.fault_rate)
    return emulator


def run(options: argparse.Namespace) -> None:
    emulator = build_emulator(options)
    print(f"Cal.com emulator on http://{options.host}:{options.port} (admin: /_emulator/…)")
    serve_forever(emulator, options.host, options.port)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="calcom_emulator", description=__doc__)
    add_arguments(parser)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
