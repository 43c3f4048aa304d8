"""The shorter GIL switch interval is set only while numeric work runs, and always restored."""

from __future__ import annotations

import sys
import threading

import pytest

from customer_segmentation import gil
from customer_segmentation.algorithms import one_thread


def about(seconds: float):
    return pytest.approx(seconds, abs=2e-6)  # CPython keeps the interval in whole microseconds


@pytest.fixture(autouse=True)
def default_interval():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(before)


def test_interval_is_short_inside_and_restored_after_even_on_error():
    with gil.quick_handoff():
        assert sys.getswitchinterval() == about(gil.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == about(0.005)
    with pytest.raises(RuntimeError), gil.quick_handoff():
        raise RuntimeError("boom")
    assert sys.getswitchinterval() == about(0.005)


def test_a_shorter_interval_set_by_someone_else_is_kept():
    sys.setswitchinterval(0.0001)
    with gil.quick_handoff():
        assert sys.getswitchinterval() == about(0.0001)
    assert sys.getswitchinterval() == about(0.0001)


def test_overlapping_callers_share_it_and_the_last_one_out_restores():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[float] = []

    def first():
        with gil.quick_handoff():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with gil.quick_handoff():
            second_in.set()
            first_out.wait(5)
            seen.append(sys.getswitchinterval())  # the first caller has left; still short

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [about(gil.SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == about(0.005)


def test_numeric_work_runs_with_the_short_interval():
    with one_thread():
        assert sys.getswitchinterval() == about(gil.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == about(0.005)
