"""Loaded only into the Celery worker that test_failing_services.py kills
(`celery -A csc worker --include tests.robustness.dying_sweep`).

The worker sweeps in small batches and kills itself with SIGKILL, as the
kernel's OOM killer or `kill -9` would, while working the clock number
CSC_TEST_SWEEP_DIE_AT, that is in the middle of a batch whose transaction is
open. Without that variable this module changes nothing.
"""

import functools
import os
import signal

from sla import sweeper

DIE_AT = int(os.environ.get("CSC_TEST_SWEEP_DIE_AT", "0"))
BATCH_SIZE = int(os.environ.get("CSC_TEST_SWEEP_BATCH", "10"))

if DIE_AT:
    _advance = sweeper.advance
    _worked = {"clocks": 0}

    def _advance_then_die(*args, **kwargs):
        _worked["clocks"] += 1
        if _worked["clocks"] == DIE_AT:
            os.kill(os.getpid(), signal.SIGKILL)
        return _advance(*args, **kwargs)

    sweeper.advance = _advance_then_die
    sweeper.sweep = functools.partial(sweeper.sweep, batch_size=BATCH_SIZE)
