"""PointContrast's PointInfoNCE and cross-view matching against numpy /
brute-force re-derivations."""
import numpy as np
import torch

from densessl.models.losses import (match_by_origin, point_info_nce,
                                    sample_pairs)


def _numpy_nce(q, k, t):
    logits = q @ k.T / t
    logits = logits - logits.max(1, keepdims=True)
    log_prob = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    return -np.mean(np.diag(log_prob))


def test_point_info_nce_equals_numpy():
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(2, 7, 5))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    k /= np.linalg.norm(k, axis=1, keepdims=True)
    got = point_info_nce(torch.tensor(q), torch.tensor(k), 0.4)
    assert np.isclose(float(got), _numpy_nce(q, k, 0.4))
    # identical features at a low temperature: near-zero loss
    assert float(point_info_nce(torch.tensor(q), torch.tensor(q), 0.01)) < \
        float(got)


def test_match_by_origin_equals_brute_force():
    rng = np.random.default_rng(1)
    o0 = rng.uniform(0, 1, (30, 3)).astype(np.float32)
    o1 = np.concatenate([o0[:20] + rng.normal(0, 0.01, (20, 3)),
                         rng.uniform(0, 1, (15, 3))]).astype(np.float32)
    # two clouds: points 0-17 / 18-29 in view 0, 0-19 / 20-34 in view 1
    off0, off1 = torch.tensor([18, 30]), torch.tensor([20, 35])
    pairs = match_by_origin(torch.tensor(o0), off0, torch.tensor(o1), off1,
                            radius=0.05, chunk=7)
    expected = []
    for (s0, e0), (s1, e1) in (((0, 18), (0, 20)), ((18, 30), (20, 35))):
        for i in range(s0, e0):
            d = np.linalg.norm(o1[s1:e1] - o0[i], axis=1)
            if d.min() <= 0.05:
                expected.append((i, s1 + int(d.argmin())))
    assert sorted(map(tuple, pairs.tolist())) == expected
    assert len(expected) >= 15  # the jittered copies match
    sampled = sample_pairs(pairs, 5, torch.Generator().manual_seed(0))
    assert len(sampled) == 5 and len({tuple(p) for p in sampled.tolist()}) == 5
    assert set(map(tuple, sampled.tolist())) <= set(expected)
