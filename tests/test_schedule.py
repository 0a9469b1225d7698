import datetime as dt

from flows.schedule import logical_date
from tasks.config import ScheduleSettings

UTC = dt.timezone.utc


def test_logical_date_is_the_scheduled_local_day_minus_the_offset():
    schedule = ScheduleSettings(timezone="Asia/Tokyo", logical_date_offset_days=1)
    # 20:00 UTC on 1 March is 05:00 on 2 March in Tokyo: the batch of 1 March.
    assert logical_date(dt.datetime(2025, 3, 1, 20, 0, tzinfo=UTC), schedule) == dt.date(2025, 3, 1)
    assert logical_date(dt.datetime(2025, 3, 1, 10, 0, tzinfo=UTC), schedule) == dt.date(2025, 2, 28)
    same_day = ScheduleSettings(timezone="UTC", logical_date_offset_days=0)
    assert logical_date(dt.datetime(2025, 3, 1, 23, 59, tzinfo=UTC), same_day) == dt.date(2025, 3, 1)
