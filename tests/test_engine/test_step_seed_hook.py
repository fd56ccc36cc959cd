from types import SimpleNamespace

import torch

from densessl.engine.hooks import StepSeedHook


def test_step_seed_hook_makes_each_step_draw_the_same_numbers():
    hook = StepSeedHook()
    runner = SimpleNamespace(seed=0, iter=5)
    hook.before_train_iter(runner, 0)
    first = torch.rand(4)
    torch.rand(100)  # a different history ...
    hook.before_train_iter(runner, 0)
    assert torch.equal(torch.rand(4), first)  # ... the same draws
    runner.iter = 6
    hook.before_train_iter(runner, 0)
    assert not torch.equal(torch.rand(4), first)
    runner.seed, runner.iter = 1, 5
    hook.before_train_iter(runner, 0)
    assert not torch.equal(torch.rand(4), first)
