"""Erlang C against published table values (10 Erlangs; AHT 180 s; 20 s target)."""

import pytest

from staffing import erlang

# Probability of waiting for 10 Erlangs, as printed in Erlang C tables.
PUBLISHED_WAIT = {11: 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741}


@pytest.mark.parametrize(("agents", "waiting"), sorted(PUBLISHED_WAIT.items()))
def test_probability_of_waiting_matches_the_table(agents, waiting):
    assert erlang.erlang_c(10, agents) == pytest.approx(waiting, abs=5e-5)


def test_service_level_for_ten_erlangs_within_20_seconds():
    # 13 agents: 1 − 0.2853·e^(−3·20/180) ≈ 79.6 %; 14 agents ≈ 88.8 %.
    assert erlang.service_level(10, 13, 180, 20) == pytest.approx(0.7956, abs=5e-4)
    assert erlang.service_level(10, 14, 180, 20) == pytest.approx(0.8884, abs=5e-4)


def test_agents_required_for_the_centres_targets():
    assert erlang.agents_required(10, 180, 20, 0.70) == 13  # general queue, P-8
    assert erlang.agents_required(10, 180, 20, 0.80) == 14
    assert erlang.agents_required(10, 180, 20, 0.85) == 14  # VIP queue, P-8


def test_no_traffic_needs_nobody_and_too_few_agents_never_answer():
    assert erlang.agents_required(0, 180, 20, 0.7) == 0
    assert erlang.erlang_c(10, 10) == 1.0
    assert erlang.service_level(10, 9, 180, 20) == 0.0


def test_shrinkage_raises_the_people_to_roster():
    assert erlang.with_shrinkage(14, 0.3) == 20  # 14 / 0.7
    assert erlang.with_shrinkage(13, 0.0) == 13
    with pytest.raises(ValueError):
        erlang.with_shrinkage(13, 1.0)


def test_a_large_queue_stays_exact():
    assert 0 < erlang.erlang_c(400, 420) < 1
