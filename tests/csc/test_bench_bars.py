"""`make bench` holds Django to ratios of the raw baseline measured in the same run
(tests/bench/run.py), not to an absolute creation rate."""

from tests.bench import run


def results(*, create_cpu: float, queue_p50: float, list_p50: float) -> dict:
    def row(p50: float, raw_p50: float, *, cpu=(0.0, 0.0), raw_cpu=(0.0, 0.0), rps=5.0) -> dict:
        return {
            "p50_ms": p50,
            "p95_ms": 50.0,
            "queries": [2],
            "requests_per_s": rps,
            "cpu_ms_app": cpu[0],
            "cpu_ms_db": cpu[1],
            "raw": {"p50_ms": raw_p50, "cpu_ms_app": raw_cpu[0], "cpu_ms_db": raw_cpu[1]},
        }

    table = {
        # 5 creations a second: far below the withdrawn 150/s, which no longer counts.
        "create ticket, 8 clients": row(
            100.0, 50.0, cpu=(create_cpu - 4.0, 4.0), raw_cpu=(8.0, 2.0), rps=5.0
        ),
        "team queue page": row(queue_p50, 10.0),
        "API list, first page": row(list_p50, 10.0),
        "API list, filtered": row(list_p50, 10.0),
    }
    sweep = {"idle_median_ms": 1.0, "due_seconds": 1.0}
    done = {"table": table, "sweep": sweep}
    done["bars"] = run.ratio_bars(done)
    return done


def test_figures_within_their_ratios_hold_whatever_the_creation_rate():
    assert run.check_targets(results(create_cpu=25.0, queue_p50=50.0, list_p50=49.0)) == []


def test_each_ratio_over_its_limit_is_a_miss():
    misses = run.check_targets(results(create_cpu=25.1, queue_p50=51.0, list_p50=50.0))

    assert misses == [
        "ticket creation, 8 clients: CPU per request 25.1 ms = 2.51× raw's 10.0 ms > 2.5×",
        "team queue page: p50 51.0 ms = 5.1× raw's 10.0 ms > 5×",
    ]
