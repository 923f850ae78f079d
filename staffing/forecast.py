"""Volume and handling-time forecast per 30-minute interval (DOMAIN.md ST-19, 话务量预测).

Kept simple and explained: the forecast for an interval is the average of the same
interval on the same weekday over the last N weeks of history. A public holiday is
its own pattern: it is forecast from the holidays in the history (any weekday), and
holidays are left out of the ordinary weekdays' averages. Handling time is total
talk time over answered contacts in the same samples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SLOTS_PER_DAY = 48
DEFAULT_AHT_SECONDS = 180.0


@dataclass(frozen=True)
class HistoryCell:
    """What happened in one interval of one past day, for one queue."""

    day: date
    slot: int  # 0 = 00:00–00:30 … 47 = 23:30–24:00
    offered: int
    answered: int
    handle_seconds: float


@dataclass(frozen=True)
class ForecastCell:
    day: date
    slot: int
    volume: float
    aht_seconds: float
    basis: str  # "weekday" or "holiday": which days it was averaged from
    samples: int


def forecast(
    history: Iterable[HistoryCell],
    *,
    days: Iterable[date],
    weeks: int,
    is_holiday: Callable[[date], bool],
) -> list[ForecastCell]:
    cells: dict[tuple[date, int], HistoryCell] = {(c.day, c.slot): c for c in history}
    history_days = sorted({day for day, _slot in cells})
    holiday_days = [day for day in history_days if is_holiday(day)]
    result = []
    for day in days:
        if is_holiday(day) and holiday_days:
            basis, sample_days = "holiday", holiday_days[-weeks:]
        else:
            basis = "weekday"
            sample_days = [
                day - timedelta(weeks=n)
                for n in range(1, weeks + 1)
                if not is_holiday(day - timedelta(weeks=n))
            ]
        for slot in range(SLOTS_PER_DAY):
            offered = answered = 0
            handle = 0.0
            for sample in sample_days:
                cell = cells.get((sample, slot))
                if cell is not None:
                    offered += cell.offered
                    answered += cell.answered
                    handle += cell.handle_seconds
            count = len(sample_days)
            result.append(
                ForecastCell(
                    day=day,
                    slot=slot,
                    volume=offered / count if count else 0.0,
                    aht_seconds=handle / answered if answered else DEFAULT_AHT_SECONDS,
                    basis=basis,
                    samples=count,
                )
            )
    return result
