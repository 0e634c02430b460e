"""What every metric can be narrowed by: a period, active distributors only, the tree on a date.

The CLI's options and the dashboard's filter bar are read by the same `parse_filters`, so a
value one refuses the other refuses too, with the same sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from downline.errors import DownlineError

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


def parse_day(text: str | None, name: str) -> date | None:
    """A YYYY-MM-DD value (None or blank: not given), or a one-line error naming it."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DownlineError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_filters(
    date_from: str | None = None,
    date_to: str | None = None,
    active_only: bool = False,
    as_of: str | None = None,
    names: tuple[str, str, str] = ("--from", "--to", "--as-of"),
) -> Filters:
    """Filters from text as people type it; `names` are what the error messages call the
    three dates (the CLI's options, or the page's fields). A period that starts after it ends
    is refused rather than answered with empty tables."""
    texts = (date_from, date_to, as_of)
    first, last, day = (parse_day(text, name) for text, name in zip(texts, names, strict=True))
    filters = Filters(first, last, active_only, day)
    if first is not None and first > filters.last_day:
        end = names[1] if last is not None else names[2]
        raise DownlineError(f"{names[0]} {first} is after {end} {filters.last_day}: no period")
    return filters
