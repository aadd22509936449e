"""Parse throughput of timeline's date readers, in dates per second.

    python benchmarks/bench_dates.py [--repeat 5] [--seconds 0.2]

Each workload is a list of texts parsed in a loop; timeit runs the loop
``--repeat`` times and the best run counts (the least disturbed by the rest
of the machine).  Free text goes through python-dateutil (English) or
regular expressions (Japanese) after EDTF has been tried and refused.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import platform
import timeit
from collections.abc import Callable, Sequence

import timeline
import timeline._dates.edtf

Parser = Callable[[str], timeline.UncertainDate]


def iso_days(count: int = 1000) -> list[str]:
    first = datetime.date(1900, 1, 1).toordinal()
    return [datetime.date.fromordinal(first + 37 * i).isoformat() for i in range(count)]


WORKLOADS: list[tuple[str, Parser, Sequence[str]]] = [
    ("plain ISO days, parse_edtf", timeline.parse_edtf, iso_days()),
    ("plain ISO days, parse_date", timeline.parse_date, iso_days()),
    (
        "qualified EDTF, parse_edtf",
        timeline.parse_edtf,
        [
            *["2004-06~", "1984?/2004%", "2004-06-11%", "201X", "1985-04-XX"],
            *["2001-24?", "1984-06-02?/2004-08-08~", "../1985-04-12", "1985/"],
        ],
    ),
    (
        "free text (English), parse_date",
        timeline.parse_date,
        ["June 2024", "19 June 2024", "Jun 19, 2024", "2024/06/19", "about 2023"],
    ),
    (
        "free text (Japanese), parse_date",
        timeline.parse_date,
        ["2024年6月", "2024年6月19日", "令和6年", "2024年6月頃", "２０２５年"],
    ),
    (
        "historians' forms, parse_date",
        timeline.parse_date,
        [
            *["the 1850s", "19th century", "Spring 1923", "winter 1923–24"],
            *["1923–25", "early 1923", "the late 19th century", "early June 1923"],
            *["1850年代", "19世紀", "1923年春", "1990年代前半", "1923年6月上旬"],
        ],
    ),
]


def throughput(
    parse: Parser,
    texts: Sequence[str],
    repeat: int,
    seconds: float,
    *,
    cached: bool = False,
) -> float:
    # parse_edtf caches its results; unless asked, measure real parsing by
    # emptying the cache before every pass over the texts.
    clear = timeline._dates.edtf._parse_cached.cache_clear

    def run() -> None:
        if not cached:
            clear()
        for text in texts:
            parse(text)

    run()  # warm up: imports (dateutil is loaded on first use), caches
    timer = timeit.Timer(run)
    loops, _ = timer.autorange()
    loops = max(1, int(loops * seconds / 0.2))
    best = min(timer.repeat(repeat=repeat, number=loops))
    return loops * len(texts) / best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="best of N (5)")
    parser.add_argument(
        "--seconds", type=float, default=0.2, help="length of one run (0.2)"
    )
    args = parser.parse_args(argv)
    width = max(len(name) for name, _, _ in WORKLOADS)
    version = importlib.metadata.version("timeline-ledger")
    print(
        f"timeline {version}, Python {platform.python_version()}: "
        f"dates per second, best of {args.repeat}"
    )
    for name, parse, texts in WORKLOADS:
        rate = throughput(parse, texts, args.repeat, args.seconds)
        print(f"{name:<{width}}  {rate:>10,.0f}")
    name, parse, texts = WORKLOADS[0]
    rate = throughput(parse, texts, args.repeat, args.seconds, cached=True)
    print(f"{name + ', cached':<{width}}  {rate:>10,.0f}")


if __name__ == "__main__":
    main()
