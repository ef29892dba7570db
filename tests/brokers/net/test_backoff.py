from __future__ import annotations

import random

import pytest

from brokers.net.backoff import Backoff, BackoffPolicy


def test_delays_grow_exponentially_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(BackoffPolicy(initial_s=0.5, max_s=4.0, multiplier=2.0, jitter=0.0))
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_jitter_stays_within_its_fraction_and_the_cap() -> None:
    policy = BackoffPolicy(initial_s=1.0, max_s=8.0, multiplier=2.0, jitter=0.25)
    backoff = Backoff(policy, random.Random(7))
    delays = [backoff.next_delay() for _ in range(200)]
    bases = [min(8.0, 2.0**n) for n in range(200)]
    assert all(0.75 * b <= d <= min(8.0, 1.25 * b) for d, b in zip(delays, bases, strict=True))
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not constant at the cap


def test_reset_starts_over_and_many_failures_do_not_overflow() -> None:
    backoff = Backoff(BackoffPolicy(initial_s=0.1, max_s=1.0, jitter=0.0))
    for _ in range(5000):
        backoff.next_delay()
    assert backoff.next_delay() == 1.0
    backoff.reset()
    assert backoff.failures == 0
    assert backoff.next_delay() == 0.1


@pytest.mark.parametrize(
    "kwargs",
    [{"initial_s": 0}, {"initial_s": 5, "max_s": 1}, {"multiplier": 0.5}, {"jitter": 1.0}],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BackoffPolicy(**kwargs)
