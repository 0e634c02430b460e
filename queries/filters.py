"""What every metric can be narrowed by: a period, active distributors only, the tree on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Filters:
    """Orders count when ordered within [date_from, date_to]; commissions when their period
    (YYYY-MM) lies between the months of those dates. `as_of` asks for the sponsor tree as it
    stood at the end of that day (distributors who had joined, sponsors before later transfers),
    and bounds the period at that day unless `date_to` says otherwise."""

    date_from: date | None = None
    date_to: date | None = None
    active_only: bool = False
    as_of: date | None = None

    @property
    def period_filtered(self) -> bool:
        return self.date_from is not None or self.date_to is not None or self.as_of is not None

    @property
    def last_day(self) -> date:
        return self.date_to or self.as_of or LATEST

    def params(self) -> dict:
        first = self.date_from or EARLIEST
        last = self.last_day
        return {
            "date_from": first,
            "date_to": last,
            "period_from": f"{first.year:04d}-{first.month:02d}",
            "period_to": f"{last.year:04d}-{last.month:02d}",
            "active_only": self.active_only,
        }


NO_FILTERS = Filters()
