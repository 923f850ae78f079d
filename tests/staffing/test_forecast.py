"""The forecast: same weekday and interval averaged over N weeks; holidays apart."""

from datetime import date

from staffing.forecast import DEFAULT_AHT_SECONDS, HistoryCell, forecast

MONDAY = date(2026, 6, 15)
HOLIDAY = date(2026, 6, 19)  # Dragon Boat Festival 2026


def holidays(day):
    return day in {HOLIDAY, date(2026, 5, 1)}


def test_the_same_weekday_and_interval_are_averaged_over_the_weeks():
    history = [
        HistoryCell(date(2026, 6, 8), 18, 10, 10, 1800),
        HistoryCell(date(2026, 6, 1), 18, 20, 20, 3600),
        HistoryCell(date(2026, 5, 25), 18, 30, 10, 1900),
        HistoryCell(date(2026, 6, 9), 18, 99, 99, 1),  # a Tuesday: another pattern
    ]
    cells = forecast(history, days=[MONDAY], weeks=3, is_holiday=holidays)
    nine = cells[18]
    assert (nine.volume, nine.aht_seconds, nine.basis, nine.samples) == (20.0, 182.5, "weekday", 3)
    assert cells[0].volume == 0 and cells[0].aht_seconds == DEFAULT_AHT_SECONDS
    assert len(cells) == 48


def test_a_holiday_is_forecast_from_past_holidays_and_left_out_of_weekdays():
    history = [
        HistoryCell(date(2026, 5, 1), 20, 4, 4, 800),  # Labour Day, a Friday
        HistoryCell(date(2026, 6, 12), 20, 40, 40, 8000),  # an ordinary Friday
    ]
    holiday = forecast(history, days=[HOLIDAY], weeks=4, is_holiday=holidays)[20]
    assert (holiday.volume, holiday.basis) == (4.0, "holiday")
    friday_after = forecast(history, days=[date(2026, 5, 8)], weeks=1, is_holiday=holidays)[20]
    assert friday_after.samples == 0  # 1 May is not an ordinary Friday
