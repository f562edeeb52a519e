"""DATEADD, DATEDIFF and DATEPART with IRIS's date parts (docs: RSQL_dateadd, RSQL_datediff).

Part names, quoted or not and in any case: year yyyy yy, quarter qq q, month mm m, week wk ww,
weekday dw w, day dd d, dayofyear dy y, hour hh h, minute mi n, second ss s, millisecond ms,
microsecond mcs, nanosecond ns.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from irisfx.engines.sim.dialect.problems import FunctionError

_PARTS = {
    "year": ("year", "yyyy", "yy"), "quarter": ("quarter", "qq", "q"),
    "month": ("month", "mm", "m"), "week": ("week", "wk", "ww"),
    "weekday": ("weekday", "dw", "w"), "day": ("day", "dd", "d"),
    "dayofyear": ("dayofyear", "dy", "y"), "hour": ("hour", "hh", "h"),
    "minute": ("minute", "mi", "n"), "second": ("second", "ss", "s"),
    "millisecond": ("millisecond", "ms"), "microsecond": ("microsecond", "mcs"),
    "nanosecond": ("nanosecond", "ns"),
}
_PART = {alias: part for part, aliases in _PARTS.items() for alias in aliases}
# ODBC's TIMESTAMPADD/TIMESTAMPDIFF intervals (RSQL_timestampadd).
_PART.update({f"sql_tsi_{name}": name for name in (
    "year", "quarter", "month", "week", "day", "hour", "minute", "second")})
_PART["sql_tsi_frac_second"] = "millisecond"
_SMALL = {"hour": 3600, "minute": 60, "second": 1, "millisecond": 1e-3,
          "microsecond": 1e-6, "nanosecond": 1e-9}


def part_name(text: Any) -> str:
    """The canonical date part for ``text`` ('mm' -> 'month'), or SQLCODE -8."""
    part = _PART.get(str(text).strip().strip("'\"").lower())
    if part is None:
        raise FunctionError(f"SQLCODE -8: {text!r} is not a date part (year, month, day, ...)")
    return part


def _parse(value: Any) -> tuple[datetime, bool]:
    """A date/time value and whether it had a fraction of a second."""
    if isinstance(value, (int, float)):
        raise FunctionError("SQLCODE -400: the simulator reads dates as 'yyyy-mm-dd', "
                            f"not {value!r}")
    text = str(value).strip().replace("T", " ")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise FunctionError(f"SQLCODE -400: {value!r} is not a date") from None
    return parsed, "." in text


def _format(moment: datetime, fraction: bool) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if fraction:
        text += f".{moment.microsecond // 1000:03d}"
    return text


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])  # Jan 31 + 1 month = Feb 28/29
    return moment.replace(year=year, month=month, day=day)


def dateadd(part: Any, amount: Any, value: Any) -> str | None:
    """DATEADD(part, n, date) -> 'yyyy-mm-dd hh:mm:ss' (RSQL_dateadd)."""
    if amount is None or value is None:
        return None
    name = part_name(part)
    moment, fraction = _parse(value)
    number = int(float(amount))
    if name in ("year", "quarter", "month"):
        months = number * {"year": 12, "quarter": 3, "month": 1}[name]
        moment = _add_months(moment, months)
    elif name in ("day", "weekday", "dayofyear", "week"):
        moment += timedelta(days=number * (7 if name == "week" else 1))
    else:
        moment += timedelta(seconds=number * _SMALL[name])
        fraction = fraction or name in ("millisecond", "microsecond", "nanosecond")
    return _format(moment, fraction)


def datediff(part: Any, start: Any, end: Any) -> int | None:
    """DATEDIFF(part, start, end): the part's boundaries crossed from start to end."""
    if start is None or end is None:
        return None
    name = part_name(part)
    a, _ = _parse(start)
    b, _ = _parse(end)
    if name == "year":
        return b.year - a.year
    if name == "quarter":
        return (b.year - a.year) * 4 + (b.month - 1) // 3 - (a.month - 1) // 3
    if name == "month":
        return (b.year - a.year) * 12 + b.month - a.month
    days = (b.date() - a.date()).days
    if name == "week":
        # Weeks start on Sunday: count the Sundays crossed.
        return (days + (a.isoweekday() % 7) - (b.isoweekday() % 7)) // 7
    if name in ("day", "weekday", "dayofyear"):
        return days
    if name in ("hour", "minute", "second"):
        return _floor_units(a, b, name)
    micro = (b - a) // timedelta(microseconds=1)
    return micro // 1000 if name == "millisecond" else micro * (1000 if name == "nanosecond" else 1)


def _floor_units(a: datetime, b: datetime, name: str) -> int:
    unit = {"hour": "%Y-%m-%d %H", "minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S"}[name]
    start = datetime.strptime(a.strftime(unit), unit)
    end = datetime.strptime(b.strftime(unit), unit)
    return int((end - start).total_seconds() // _SMALL[name])


def datepart(part: Any, value: Any) -> int | None:
    """DATEPART(part, date) as an integer."""
    if value is None:
        return None
    name = part_name(part)
    moment, _ = _parse(value)
    day: date = moment.date()
    values = {
        "year": moment.year, "quarter": (moment.month - 1) // 3 + 1, "month": moment.month,
        "week": int(day.strftime("%U")) + 1, "weekday": day.isoweekday() % 7 + 1,
        "day": moment.day, "dayofyear": day.timetuple().tm_yday, "hour": moment.hour,
        "minute": moment.minute, "second": moment.second,
        "millisecond": moment.microsecond // 1000, "microsecond": moment.microsecond,
        "nanosecond": moment.microsecond * 1000,
    }
    return values[name]


_FORMATS = {"date": ("%Y-%m-%d",), "time": ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f"),
            "timestamp": ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M",
                          "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f")}


def date_ok(value: Any, kind: str) -> int:
    """Whether ``value`` is a date/time IRIS reads in ODBC form (else SQLCODE -146)."""
    if value is None:
        return 1
    if not isinstance(value, str):
        return 0
    for pattern in _FORMATS[kind]:
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            continue
        return 1
    return 0
