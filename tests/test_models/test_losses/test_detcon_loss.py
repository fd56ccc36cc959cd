"""DetCon's loss against an independent anchor-by-anchor loop re-derivation
of the official ``byol_nce_detcon``, alone and with negatives gathered over
two gloo processes (DetConHead)."""
import os

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from densessl.models.losses import detcon_loss

from helpers import free_port, init_gloo


def reference_loss(pred1, pred2, target1, target2, ind1, ind2, tau=0.1,
                   local_negatives=True, offset=0):
    """Anchor by anchor, in float64: logits against [other view | own view]
    targets of every image, own id in own view excluded, positives = own
    image + same id in the other view, weight 1[pos] / #duplicates, mean
    over all anchors, both directions summed."""
    def unit(x):
        x = np.asarray(x, dtype=np.float64)
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    def direction(pred, t_other, t_same, pind, oind, sind):
        n, k = pind.shape
        total = 0.0
        for b in range(n):
            for i in range(k):
                logits, positive = [], []
                for block, ids, is_other in ((t_other, oind, True),
                                             (t_same, sind, False)):
                    for u in range(block.shape[0]):
                        for j in range(k):
                            own = u == b + offset
                            same = own and ids[b, j] == pind[b, i]
                            value = pred[b, i] @ block[u, j] / tau
                            if not is_other and same:
                                continue  # own mask, own view: excluded
                            if own and not same and not local_negatives:
                                continue
                            logits.append(value)
                            positive.append(is_other and same)
                logits = np.array(logits)
                positive = np.array(positive)
                if not positive.any():
                    continue
                log_p = logits - np.log(np.exp(logits - logits.max()).sum()
                                        ) - logits.max()
                ce = -log_p[positive].mean()
                total += ce / (pind[b] == pind[b, i]).sum()
        return total / (n * k)

    p1, p2, t1, t2 = map(unit, (pred1, pred2, target1, target2))
    i1, i2 = np.asarray(ind1), np.asarray(ind2)
    return (direction(p1, t2, t1, i1, i2, i1) +
            direction(p2, t1, t2, i2, i1, i2))


def _inputs(n=3, k=5, d=6, seed=0, images=None):
    g = torch.Generator().manual_seed(seed)
    images = images or n
    pred1, pred2 = (torch.randn(n, k, d, generator=g) for _ in range(2))
    target1, target2 = (torch.randn(images, k, d, generator=g)
                        for _ in range(2))
    # repeated ids, and ids present in one view only (7 and 8)
    ind1 = torch.tensor([[0, 0, 1, 2, 7], [3, 1, 1, 1, 0], [5, 4, 4, 0, 2]])
    ind2 = torch.tensor([[1, 0, 2, 2, 8], [1, 3, 3, 0, 0], [4, 5, 8, 8, 8]])
    return pred1, pred2, target1, target2, ind1[:n], ind2[:n]


@pytest.mark.parametrize('local_negatives', [True, False])
def test_loss_matches_loop_reference(local_negatives):
    p1, p2, t1, t2, i1, i2 = _inputs()
    ours = detcon_loss(p1, p2, t1, t2, i1, i2, i1, i2, temperature=0.1,
                       local_negatives=local_negatives)
    ref = reference_loss(p1, p2, t1, t2, i1, i2,
                         local_negatives=local_negatives)
    assert ours.item() == pytest.approx(ref, rel=1e-5)


def test_loss_with_gathered_targets_and_offset():
    # this process holds images 3..5 of a global batch of 6
    p1, p2, t1, t2, i1, i2 = _inputs(images=6, seed=1)
    ours = detcon_loss(p1, p2, t1, t2, i1, i2, i1, i2, offset=3)
    ref = reference_loss(p1, p2, t1, t2, i1, i2, offset=3)
    assert ours.item() == pytest.approx(ref, rel=1e-5)


def test_unmatched_anchor_weighs_zero_but_counts_in_the_mean():
    p1, p2, t1, t2, _, _ = _inputs(n=1, k=2)
    matched = detcon_loss(p1, p2, t1, t2, torch.tensor([[0, 1]]),
                          torch.tensor([[0, 5]]), torch.tensor([[0, 1]]),
                          torch.tensor([[0, 5]]))
    # anchor 1 of view 1 (id 1) and anchor 1 of view 2 (id 5) have no
    # positive: the loss is half the mean of the two matched anchors' CE
    ref = reference_loss(p1, p2, t1, t2, [[0, 1]], [[0, 5]])
    assert matched.item() == pytest.approx(ref, rel=1e-5)
    none = detcon_loss(p1, p2, t1, t2, torch.tensor([[0, 1]]),
                       torch.tensor([[2, 3]]), torch.tensor([[0, 1]]),
                       torch.tensor([[2, 3]]))
    assert none.item() == 0.0


def test_loss_is_lower_for_aligned_regions():
    p1, p2, t1, t2, i1, _ = _inputs(n=2, k=4, d=16)
    aligned = detcon_loss(t1, t2, t1.clone(), t1.clone(), i1[:, :4],
                          i1[:, :4], i1[:, :4], i1[:, :4])
    shuffled = detcon_loss(p1, p2, t1, t2, i1[:, :4], i1[:, :4], i1[:, :4],
                           i1[:, :4])
    assert aligned < shuffled


def _worker(rank, world, port, out_dir):
    init_gloo(rank, world, port)
    from densessl.registry import MODELS
    p1, p2, t1, t2, i1, i2 = _inputs(images=6, seed=2)
    mine = slice(3 * rank, 3 * rank + 3)
    results = {}
    for name, predictor in (('B', None), ('S', None)):
        head = MODELS.build(dict(type='DetConHead', predictor=predictor))
        if name == 'B':  # targets without gradient: plain gather
            o1, o2 = p1.clone(), p2.clone()
            loss = head.loss(online1=o1, online2=o2, target1=t1[mine],
                             target2=t2[mine], ids1=i1, ids2=i2)['loss']
        else:  # targets are the online outputs: gathered with gradient
            o1 = t1[mine].clone().requires_grad_()
            o2 = t2[mine].clone().requires_grad_()
            loss = head.loss(online1=o1, online2=o2, target1=o1, target2=o2,
                             ids1=i1, ids2=i2)['loss']
            loss.backward()
            results['grad'] = o1.grad
        results[name] = loss.detach()
    torch.save(results, os.path.join(out_dir, f'rank{rank}.pth'))
    dist.barrier()
    dist.destroy_process_group()


def test_negatives_gathered_across_two_processes(tmp_path):
    mp.spawn(_worker, args=(2, free_port(), str(tmp_path)), nprocs=2)
    p1, p2, t1, t2, i1, i2 = _inputs(images=6, seed=2)
    total_s = 0.0
    for rank in range(2):
        got = torch.load(tmp_path / f'rank{rank}.pth')
        ref_b = reference_loss(p1, p2, t1, t2, i1, i2, offset=3 * rank)
        assert got['B'].item() == pytest.approx(ref_b, rel=1e-5)
        mine = slice(3 * rank, 3 * rank + 3)
        ref_s = reference_loss(t1[mine], t2[mine], t1, t2, i1, i2,
                               offset=3 * rank)
        assert got['S'].item() == pytest.approx(ref_s, rel=1e-5)
        assert got['grad'].abs().sum() > 0
        total_s += ref_s
    # DetCon-S in one process over the 6 images: the ids of images 3..5
    # equal those of 0..2 here, so the two ranks' losses average to it
    ids1, ids2 = torch.cat([i1, i1]), torch.cat([i2, i2])
    single = detcon_loss(t1, t2, t1, t2, ids1, ids2, ids1, ids2)
    assert single.item() == pytest.approx(total_s / 2, rel=1e-5)
