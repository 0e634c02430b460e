"""A fresh process's view of the read model, run by bench/read_model_bench.py.

read_model_memory.py            resident and private memory before the snapshot is opened
                                and after every view of the whole network was answered
read_model_memory.py --first VIEW CASE
                                the first call of one view (CASE: JSON [root, filters]) in
                                this fresh process, snapshot opening included, in ms
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

from read_model_bench import VIEWS, view


def _memory_mb() -> dict[str, float]:
    """Resident and private (unshared) memory of this process, from /proc/self/smaps_rollup."""
    fields = {}
    for line in open("/proc/self/smaps_rollup", encoding="ascii"):
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            fields[name] = int(rest.split()[0]) / 1024
    return {"rss": fields["Rss"], "private": fields["Private_Clean"] + fields["Private_Dirty"]}


def _source(driver):
    from downline.settings import Settings
    from queries.engine import choose

    choice = choose(driver, Settings())
    if choice.warning:
        raise SystemExit(choice.warning)
    return choice.source


def main() -> None:
    from downline.connection import driver_for
    from downline.settings import Settings
    from queries.filters import Filters

    with driver_for(Settings()) as driver:
        if sys.argv[1:2] == ["--first"]:
            name, (root, asked) = sys.argv[2], json.loads(sys.argv[3])
            filters = Filters(**{k: _value(v) for k, v in asked.items()})
            began = time.perf_counter()
            view(name)(_source(driver), root, filters)
            print(json.dumps(round((time.perf_counter() - began) * 1000, 1)))
            return
        before = _memory_mb()
        source = _source(driver)
        for name in VIEWS:
            view(name)(source, None, Filters(date_from=date(1970, 1, 1)))
        after = _memory_mb()
    print(
        json.dumps(
            {
                "rss_mb": {"before": round(before["rss"]), "after": round(after["rss"])},
                "private_mb": {
                    "before": round(before["private"]),
                    "after": round(after["private"]),
                },
            }
        )
    )


def _value(text):
    return date.fromisoformat(text) if isinstance(text, str) else text


if __name__ == "__main__":
    main()
