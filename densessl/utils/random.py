"""Random numbers that a resumed run draws exactly as an uninterrupted one.

Python's ``random``, NumPy's global generator and torch's are seeded from a
hash of named integers (run seed, epoch, position, iteration, rank) at the
points where a run can be cut, instead of carrying their state through it.
"""
import contextlib
import random
from typing import Iterator, Optional

import numpy as np
import torch


def derived_seed(*keys: int) -> int:
    """A 32-bit seed from integers, well mixed (NumPy's ``SeedSequence``),
    so that neighbouring keys give unrelated streams."""
    return int(np.random.SeedSequence([int(k) for k in keys])
               .generate_state(1)[0])


def seed_all(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@contextlib.contextmanager
def isolated_rng(seed: Optional[int]) -> Iterator[None]:
    """Run the block with the global generators seeded by ``seed`` and give
    them back their previous state afterwards, so that what the block draws
    neither depends on nor disturbs the rest of the process. ``None``: no
    seeding, no isolation (the block draws from the running streams)."""
    if seed is None:
        yield
        return
    saved = random.getstate(), np.random.get_state(), torch.get_rng_state()
    seed_all(seed)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        torch.set_rng_state(saved[2])
