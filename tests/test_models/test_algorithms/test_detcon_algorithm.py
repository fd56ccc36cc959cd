"""DetCon-B / -S: gradients, ids shared by online and target, target init,
errors, and negatives gathered over two gloo processes."""
import os
import sys

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from densessl.models.losses import detcon_loss

from helpers import (REPO_ROOT, build, detcon_cfg, free_port, region_samples,
                     two_views)


ROOT = REPO_ROOT


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


def _worker(rank, world, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.set_num_threads(1)
    sys.path.insert(0, os.path.join(ROOT, 'tests'))
    from densessl.setup_env import register_all_modules
    register_all_modules()
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


def test_detcon_b_gradients_and_shared_ids(monkeypatch):
    torch.manual_seed(0)
    model = build(detcon_cfg('B'))
    model.train()
    seen = {}
    loss_fn = model.head.loss

    def spy(**kwargs):
        seen.update(kwargs)
        return loss_fn(**kwargs)
    monkeypatch.setattr(model.head, 'loss', spy)
    losses = model.loss(two_views(batch=4), region_samples(batch=4))
    assert set(losses) == {'loss'} and torch.isfinite(losses['loss'])
    losses['loss'].backward()
    assert seen['online1'].shape == (4, 4, 8)
    assert seen['ids1'].shape == (4, 4)
    # the online ids were drawn from the masks present in view 1
    assert set(seen['ids1'].unique().tolist()) <= {0, 1, 2, 3}
    assert not seen['target1'].requires_grad
    for part in (model.backbone, model.neck, model.head.predictor):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in part.parameters())
    assert all(p.grad is None for p in model.momentum_encoder.parameters())


def test_detcon_b_target_init_independent_or_copied():
    torch.manual_seed(0)
    independent = build(detcon_cfg('B'))
    copied = build(detcon_cfg('B', target_init='copy'))
    w = 'timm_model.conv1.weight'
    assert not torch.equal(independent.backbone.state_dict()[w],
                           independent.momentum_encoder.backbone.state_dict()[w])
    assert torch.equal(copied.backbone.state_dict()[w],
                       copied.momentum_encoder.backbone.state_dict()[w])


def test_detcon_s_gradient_through_both_sides():
    torch.manual_seed(0)
    model = build(detcon_cfg('S'))
    model.train()
    losses = model.loss(two_views(batch=4), region_samples(batch=4))
    losses['loss'].backward()
    assert model.head.predictor is None
    assert model.neck.mlp[0].weight.grad.abs().sum() > 0


def test_missing_masks_are_named():
    model = build(detcon_cfg('B'))
    with pytest.raises(KeyError, match='LoadRegionMasks'):
        model.loss(two_views(batch=2), None)


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
