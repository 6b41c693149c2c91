"""20 simulated phone calls at once against the production server (gunicorn, PostgreSQL).

Each simulated call is what the Retell agent does for a caller who books a colour or a cut:
inbound webhook → list_services → check_availability (a random weekday and quarter hour of
the next 60 days) → book_appointment with the hold (when the start was free), each request
signed as Retell signs it, with `--think` seconds between tools (the caller talking), for
`--seconds`; then again with no think time. Every call has a number of its own.

Printed per tool: p50, p95 and max latency as the client saw it, and the 5xx count; then the
booked appointments and raw-SQL overlap counts (must be 0: no double booking). One call
alone, measured first, is the yardstick for this machine's speed (it swings by 2x): the
ratios p95 / yardstick p50 are steadier than the milliseconds.

    uv run python bench/phone_calls.py [--calls 20] [--seconds 60] [--think 1]
                                       [--database-url postgres://…/phasebook_bench_phone]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import random
import statistics
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from common import demo_salon, reset, setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/phasebook_bench_phone"
RETELL_KEY = "key_bench_phone_calls"
STYLISTS = 10
TOOLS = ("inbound", "list_services", "check_availability", "book_appointment")
_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


def _sign(body: str) -> str:
    stamp = int(time.time() * 1000)
    digest = hmac.new(RETELL_KEY.encode(), f"{body}{stamp}".encode(), hashlib.sha256)
    return f"v={stamp},d={digest.hexdigest()}"


class Caller:
    """One simulated caller after another on one connection, as Retell's servers would."""

    def __init__(self, base: str, rng: random.Random, think: float) -> None:
        self.base, self.rng, self.think = base, rng, think
        self.http = httpx.Client(timeout=30)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.outcomes: Counter[str] = Counter()

    def post(self, tool: str, path: str, body: Any) -> dict[str, Any]:
        text = json.dumps(body, ensure_ascii=False)
        started = time.perf_counter()
        response = self.http.post(
            f"{self.base}/{path}",
            content=text.encode(),
            headers={"X-Retell-Signature": _sign(text), "Content-Type": "application/json"},
        )
        self.latencies[tool].append(time.perf_counter() - started)
        if response.status_code >= 500:
            self.outcomes[f"5xx {tool}"] += 1
            return {}
        return dict(response.json())

    def pause(self) -> None:
        time.sleep(self.think)

    def one_call(self) -> None:
        with _numbers_lock:
            number = next(_numbers)
        caller = f"+49151{number:08d}"
        call = {
            "call_id": f"bench_{number}",
            "agent_id": "agent_bench",
            "call_type": "phone_call",
            "direction": "inbound",
            "from_number": caller,
            "to_number": "+4930123456",
            "call_status": "ongoing",
        }
        self.post(
            "inbound",
            "inbound",
            {
                "event": "call_inbound",
                "call_inbound": {"from_number": caller, "to_number": "+4930123456"},
            },
        )
        self.pause()
        self.post(
            "list_services",
            "functions/list_services",
            {"name": "list_services", "args": {}, "call": call},
        )
        self.pause()
        day = datetime.now(UTC).date() + timedelta(days=self.rng.randint(1, 60))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        service = self.rng.choice(["Ansatzfärbung", "Herrenhaarschnitt", "Damenhaarschnitt"])
        quarter = self.rng.randint(0, 23)
        clock = f"{9 + quarter // 4}:{15 * (quarter % 4):02d}"
        checked = self.post(
            "check_availability",
            "functions/check_availability",
            {
                "name": "check_availability",
                "call": call,
                "args": {"service": service, "date": day.isoformat(), "time": clock},
            },
        )
        self.outcomes["available" if checked.get("available") else "not available"] += 1
        if not checked.get("hold_id"):
            return
        self.pause()
        booked = self.post(
            "book_appointment",
            "functions/book_appointment",
            {
                "name": "book_appointment",
                "call": call,
                "args": {"hold_id": checked["hold_id"], "customer_name": f"Kundin {number}"},
            },
        )
        self.outcomes["booked" if booked.get("ok") else f"refused {booked.get('error')}"] += 1

    def run_until(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self.one_call()
            self.pause()
        self.http.close()


def simulate(base: str, calls: int, seconds: float, think: float) -> list[Caller]:
    deadline = time.monotonic() + seconds
    callers = [Caller(base, random.Random(number), think) for number in range(calls)]
    threads = [threading.Thread(target=caller.run_until, args=(deadline,)) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return callers


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(title: str, callers: list[Caller], yardstick: dict[str, float]) -> None:
    latencies: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    for caller in callers:
        outcomes.update(caller.outcomes)
        for tool, values in caller.latencies.items():
            latencies[tool] += values
    print(f"\n{title}")
    print(
        f"  {'tool':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/yardstick':>14}"
    )
    for tool in TOOLS:
        values = latencies.get(tool, [])
        if not values:
            continue
        p95 = _percentile(values, 0.95)
        print(
            f"  {tool:<20} {len(values):>6} {1000 * statistics.median(values):>8.1f} "
            f"{1000 * p95:>8.1f} {1000 * max(values):>8.1f} {p95 / yardstick[tool]:>13.1f}x"
        )
    print("  outcomes: " + ", ".join(f"{kind} {count}" for kind, count in sorted(outcomes.items())))


def prepare(url: str) -> None:
    setup(url)
    from phasebook.phone.models import RetellConnection

    reset()
    company, _ = demo_salon(STYLISTS)
    connection = RetellConnection(company=company)
    connection.api_key = RETELL_KEY
    connection.save()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    args = parser.parse_args()
    prepare(args.database_url)
    from tests.support.overlaps import customer_overlaps, staff_overlaps
    from tests.support.processes import free_port, gunicorn

    from phasebook.booking.models import Appointment, AppointmentStatus

    bind = f"127.0.0.1:{free_port()}"
    env = {"PHASEBOOK_BIND": bind, "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": ""}
    base = f"http://{bind}/retell/friseur-demo"
    with gunicorn(env):
        alone = simulate(base, 1, args.baseline_seconds, think=0.0)
        yardstick = {
            tool: statistics.median(alone[0].latencies[tool])
            for tool in TOOLS
            if alone[0].latencies[tool]
        }
        print(
            "yardstick, one call alone without think time (p50 ms): "
            + ", ".join(f"{tool} {1000 * value:.1f}" for tool, value in yardstick.items())
        )
        with_think = simulate(base, args.calls, args.seconds, think=args.think)
        report(
            f"{args.calls} calls, {args.think:g} s think time, {args.seconds:g} s",
            with_think,
            yardstick,
        )
        flat_out = simulate(base, args.calls, args.seconds, think=0.0)
        report(f"{args.calls} calls, no think time, {args.seconds:g} s", flat_out, yardstick)
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED).count()
    print(
        f"\nbooked appointments: {booked}; stylist overlaps: {staff_overlaps()}, "
        f"customer overlaps: {customer_overlaps()}"
    )


if __name__ == "__main__":
    main()
