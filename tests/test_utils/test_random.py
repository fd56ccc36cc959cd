import random

import numpy as np
import torch

from densessl.utils.random import derived_seed, isolated_rng, seed_all


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(()))


def test_derived_seed_is_a_function_of_its_keys():
    assert derived_seed(0, 1, 2) == derived_seed(0, 1, 2)
    seeds = {derived_seed(0, epoch, pos) for epoch in range(3)
             for pos in range(50)}
    assert len(seeds) == 150
    assert all(0 <= s < 2**32 for s in seeds)


def test_isolated_rng_seeds_the_block_and_restores_the_streams():
    seed_all(7)
    expected_after = draw()
    seed_all(7)
    with isolated_rng(123):
        inside = draw()
    # the process's streams continue as if the block had not run
    assert draw() == expected_after
    with isolated_rng(123):
        assert draw() == inside
    seed_all(7)
    with isolated_rng(None):  # no seed: the block draws the running stream
        assert draw() == expected_after
