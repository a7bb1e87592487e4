"""How many threads bayes-zba's work may use: the cores this process may run on, and the cap
on chains sampled at once that study workers set so each of them uses one core.
"""

import os

#: Caps the chains one fit samples at once (one thread each). Study workers set it to 1
#: (bayes_zba.parallel), so a worker per core never runs more threads than its core.
CHAIN_THREADS_ENV = "BAYES_ZBA_CHAIN_THREADS"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def chain_threads(chains: int) -> int:
    """Chains to sample at once: min(chains, $BAYES_ZBA_CHAIN_THREADS or the usable cores)."""
    cap = os.environ.get(CHAIN_THREADS_ENV)
    if cap is not None and not (cap.isdigit() and int(cap) >= 1):
        raise ValueError(f"{CHAIN_THREADS_ENV} must be a whole number >= 1, got {cap!r}")
    return min(chains, int(cap) if cap is not None else usable_cores())
