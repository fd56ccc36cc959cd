"""Point-CMAE's two consistency forms against independent numpy
re-derivations of the paper's and the released code's formulas."""
import numpy as np
import pytest
import torch

from densessl.models.losses import (comasked_consistency_paper,
                                    comasked_consistency_released)


def _consistency_numpy(f1, f2, comask, form):
    f1 = f1 / np.linalg.norm(f1, axis=-1, keepdims=True)
    f2 = f2 / np.linalg.norm(f2, axis=-1, keepdims=True)
    if form == 'paper':
        cos = (f1 * f2).sum(-1)
        return ((1 - cos) * comask).sum() / comask.sum()
    sim = np.einsum('bic,bjc->bij', f1, f2)  # the released bmm
    weight = np.repeat(comask[:, :, None], sim.shape[2], 2)
    return ((1 - sim + 1e-8) * weight).sum() / (sim.shape[2] * comask.sum())


def test_consistency_forms_equal_numpy_and_the_documented_check():
    rng = np.random.default_rng(3)
    f1, f2 = rng.normal(size=(2, 3, 10, 6))
    comask = rng.uniform(size=(3, 10)) < 0.4
    for form, fn in (('paper', comasked_consistency_paper),
                     ('released', comasked_consistency_released)):
        got = fn(torch.tensor(f1), torch.tensor(f2), torch.tensor(comask))
        assert got.item() == pytest.approx(
            _consistency_numpy(f1, f2, comask, form), rel=1e-9)
    # identical, mutually orthogonal token features in both branches (G=64)
    eye = torch.eye(64)[None].double()
    everything = torch.ones(1, 64, dtype=torch.bool)
    assert comasked_consistency_paper(eye, eye, everything).item() == \
        pytest.approx(0, abs=1e-12)
    assert comasked_consistency_released(eye, eye, everything).item() == \
        pytest.approx(1 - 1 / 64, abs=1e-7)
    # nothing co-masked: 0, not NaN
    none = torch.zeros(1, 64, dtype=torch.bool)
    assert comasked_consistency_paper(eye, eye, none).item() == 0
