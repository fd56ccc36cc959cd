"""PixPro's pixel propagation module against a numpy re-derivation, plus
invariants."""
import numpy as np
import pytest
import torch

from densessl.models.heads import PixelPropagationModule


def test_ppm_matches_numpy():
    torch.manual_seed(0)
    ppm = PixelPropagationModule(channels=4, gamma=2.0,
                                 num_transform_layers=1).double()
    x = torch.randn(2, 4, 2, 3, dtype=torch.float64)
    got = ppm(x).detach().numpy()
    wt = ppm.transform.weight.detach().numpy()[:, :, 0, 0]
    bias = ppm.transform.bias.detach().numpy()
    for n in range(2):
        feats = x[n].reshape(4, -1).numpy()                  # C x HW
        value = wt @ feats + bias[:, None]
        value = value / np.linalg.norm(value, axis=0)
        xn = feats / np.linalg.norm(feats, axis=0)
        sim = np.clip(xn.T @ xn, 0, None) ** 2              # incl. self
        out = np.stack([(sim[i][None] * value).sum(axis=1)
                        for i in range(6)], axis=1)
        assert np.allclose(got[n].reshape(4, -1), out, atol=1e-10)


def test_ppm_identity_transform_and_bad_layers():
    ppm = PixelPropagationModule(channels=3, num_transform_layers=0)
    assert isinstance(ppm.transform, torch.nn.Identity)
    with pytest.raises(ValueError, match='0, 1 or 2'):
        PixelPropagationModule(num_transform_layers=3)
