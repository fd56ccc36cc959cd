"""MoCo-v2 / DenseCL losses against independent numpy re-derivations of the
official formulas."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from densessl.models.losses import (dense_argmax_match, densecl_dense_loss,
                                    info_nce_with_queue)


def np_normalize(x, axis):
    return x / np.linalg.norm(x, axis=axis, keepdims=True)


def np_info_nce(q, k, queue, t):
    """-log softmax of the positive, mean over rows (float64)."""
    losses = []
    for i in range(q.shape[0]):
        logits = np.concatenate([[q[i] @ k[i]], q[i] @ queue]) / t
        m = logits.max()
        log_z = m + np.log(np.exp(logits - m).sum())
        losses.append(log_z - logits[0])
    return float(np.mean(losses))


def test_info_nce_matches_numpy():
    rng = np.random.default_rng(0)
    q = np_normalize(rng.normal(size=(5, 8)), 1)
    k = np_normalize(rng.normal(size=(5, 8)), 1)
    queue = np_normalize(rng.normal(size=(8, 12)), 0)
    expected = np_info_nce(q, k, queue, 0.2)
    got = info_nce_with_queue(torch.tensor(q), torch.tensor(k),
                              torch.tensor(queue), 0.2)
    assert abs(float(got) - expected) < 1e-10
    # a temperature change changes the value: the test can fail
    other = info_nce_with_queue(torch.tensor(q), torch.tensor(k),
                                torch.tensor(queue), 0.07)
    assert abs(float(other) - expected) > 1e-3


def test_dense_match_is_argmax_of_backbone_cosine():
    rng = np.random.default_rng(1)
    n, c, s = 2, 6, 9
    bq = np_normalize(rng.normal(size=(n, c, s)), 1)
    bk = np_normalize(rng.normal(size=(n, c, s)), 1)
    expected = np.zeros((n, s), dtype=np.int64)
    for b in range(n):
        for i in range(s):
            expected[b, i] = np.argmax([bq[b, :, i] @ bk[b, :, j]
                                        for j in range(s)])
    got = dense_argmax_match(torch.tensor(bq), torch.tensor(bk))
    assert np.array_equal(got.numpy(), expected)


def test_densecl_dense_loss_matches_numpy():
    rng = np.random.default_rng(2)
    n, c, s, kq = 3, 8, 4, 10
    gq = np_normalize(rng.normal(size=(n, c, s)), 1)
    gk = np_normalize(rng.normal(size=(n, c, s)), 1)
    bq = np_normalize(rng.normal(size=(n, 5, s)), 1)
    bk = np_normalize(rng.normal(size=(n, 5, s)), 1)
    queue2 = np_normalize(rng.normal(size=(c, kq)), 0)
    # re-derivation: for each (n, i), positive = key dense vector at the
    # argmax over key locations of the backbone cosine similarity
    rows_q, rows_k = [], []
    for b in range(n):
        sim = bq[b].T @ bk[b]
        for i in range(s):
            rows_q.append(gq[b, :, i])
            rows_k.append(gk[b, :, int(np.argmax(sim[i]))])
    expected = np_info_nce(np.array(rows_q), np.array(rows_k), queue2, 0.2)
    match = dense_argmax_match(torch.tensor(bq), torch.tensor(bk))
    got = densecl_dense_loss(torch.tensor(gq), torch.tensor(gk), match,
                             torch.tensor(queue2), 0.2)
    assert abs(float(got) - expected) < 1e-10


def test_info_nce_gradients_match_autograd_cross_entropy():
    torch.manual_seed(3)
    q = F.normalize(torch.randn(6, 5, dtype=torch.float64), dim=1)
    k = F.normalize(torch.randn(6, 5, dtype=torch.float64), dim=1)
    queue = F.normalize(torch.randn(5, 9, dtype=torch.float64), dim=0)
    inputs = [t.clone().requires_grad_() for t in (q, k, queue)]
    ours = info_nce_with_queue(*inputs, 0.2)
    (ours * 1.7).backward()
    ref_inputs = [t.clone().requires_grad_() for t in (q, k, queue)]
    qr, kr, queuer = ref_inputs
    logits = torch.cat([(qr * kr).sum(1, keepdim=True), qr @ queuer], 1)
    ref = F.cross_entropy(logits / 0.2, torch.zeros(6, dtype=torch.long))
    (ref * 1.7).backward()
    assert torch.allclose(ours, ref)
    for a, b in zip(inputs, ref_inputs):
        assert torch.allclose(a.grad, b.grad, atol=1e-10)
    assert torch.autograd.gradcheck(
        lambda a, b, c: info_nce_with_queue(a, b, c, 0.2),
        [t.clone().requires_grad_() for t in (q, k, queue)])


@pytest.mark.parametrize('needs', [(True, False, False), (False, True, False),
                                   (False, False, True), (False, True, True)])
def test_info_nce_gradient_of_each_input_alone(needs):
    # the fused gradient's parts are computed only for the inputs that need
    # one: each must still equal autograd's when the others need none
    torch.manual_seed(4)
    q = F.normalize(torch.randn(6, 5, dtype=torch.float64), dim=1)
    k = F.normalize(torch.randn(6, 5, dtype=torch.float64), dim=1)
    queue = F.normalize(torch.randn(5, 9, dtype=torch.float64), dim=0)
    inputs = [t.clone().requires_grad_(need) for t, need in
              zip((q, k, queue), needs)]
    info_nce_with_queue(*inputs, 0.2).backward()
    ref_inputs = [t.clone().requires_grad_() for t in (q, k, queue)]
    qr, kr, queuer = ref_inputs
    logits = torch.cat([(qr * kr).sum(1, keepdim=True), qr @ queuer], 1)
    F.cross_entropy(logits / 0.2, torch.zeros(6, dtype=torch.long)).backward()
    for a, b, need in zip(inputs, ref_inputs, needs):
        if need:
            assert torch.allclose(a.grad, b.grad, atol=1e-10)
        else:
            assert a.grad is None
