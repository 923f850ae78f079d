"""The centre's targets as data (`ServiceTarget`, edited in the admin with their
source), kept per process like the other reference data and read by every figure
that is measured against one: the dashboard, the wallboard, the metrics API.
"""

from dataclasses import dataclass

from csc.choices import TargetMeasure, TargetQueue
from csc.lib.reference import ReferenceCache
from csc.models import ServiceTarget


@dataclass(frozen=True)
class Target:
    measure: str
    queue: str
    ratio: float
    answer_seconds: int | None
    short_abandon_seconds: int | None
    source: str

    @property
    def percent(self) -> float:
        return round(self.ratio * 100, 2)


def _load() -> dict[tuple[str, str], Target]:
    return {
        (row.measure, row.queue): Target(
            measure=row.measure,
            queue=row.queue,
            ratio=row.ratio,
            answer_seconds=row.answer_seconds,
            short_abandon_seconds=row.short_abandon_seconds,
            source=row.source,
        )
        for row in ServiceTarget.objects.all()
    }


service_targets = ReferenceCache("service-targets", _load, sources=[ServiceTarget])


class TargetMissing(LookupError):
    """The admin deleted a target every figure needs: say which, rather than guess one."""


def target(measure: str, queue: str = TargetQueue.ALL) -> Target:
    """The target of a measure for a queue, falling back to the measure's every-queue row."""
    rows = service_targets.get()
    found = rows.get((measure, queue)) or rows.get((measure, TargetQueue.ALL))
    if found is None:
        raise TargetMissing(f"no service target for {measure} {queue or '(every queue)'}")
    return found


def service_level_target(queue: str) -> Target:
    return target(TargetMeasure.SERVICE_LEVEL, queue)
