"""PointContrast: matching views, gradients, errors, DDP over two gloo
processes, the train tool with resume, predictions."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from densessl.models.losses import match_by_origin

from helpers import REPO_ROOT, free_port, init_gloo


ROOT = REPO_ROOT


TINY = osp.join(ROOT, 'tests/data/pointcontrast_tiny.py')


def _batch(seed=0, rotate=True):
    from mmengine.dataset import pseudo_collate

    from densessl.datasets import SyntheticRoomDataset
    from densessl.models.data_preprocessors import SparsePointDataPreprocessor
    views = [dict(type='GridSample', grid_size=0.1, mode='train'),
             dict(type='PointFeatures')]
    if rotate:
        views.insert(0, dict(type='RandomRotate'))
    np.random.seed(seed)
    ds = SyntheticRoomDataset(num_scenes=2, num_points=3000, seed=seed,
                              pipeline=[dict(type='PointMultiView',
                                             transforms=views),
                                        dict(type='PackSparsePointInputs')])
    data = pseudo_collate([ds[0], ds[1]])
    return SparsePointDataPreprocessor()(data, True)['inputs']


def _model(**kwargs):
    from densessl.models.algorithms import PointContrast
    torch.manual_seed(0)
    return PointContrast(
        backbone=dict(type='MinkUNet', in_channels=3, out_channels=8,
                      depth=14, planes=(8, 8, 16, 16, 16, 16, 8, 8),
                      stem_channels=8),
        num_pairs=128, match_radius=0.15, **kwargs)


def _ddp_worker(rank, world, port, out_dir):
    init_gloo(rank, world, port)
    from test_point_contrast_algorithm import _batch, _model
    views = _batch(seed=rank + 1)  # different scenes per rank
    local = _model()
    torch.manual_seed(5)
    local.loss(views)['loss'].backward()
    model = _model()
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    torch.manual_seed(5)  # the same pair sample as the local run
    ddp(views, mode='loss')['loss'].backward()
    torch.save(dict(local=[p.grad for p in local.parameters()],
                    ddp=[p.grad for p in model.parameters()]),
               osp.join(out_dir, f'rank{rank}.pth'))
    dist.barrier()
    dist.destroy_process_group()


def _train(work_dir, *options):
    import subprocess
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES='')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', TINY, '--work-dir', str(work_dir),
         *options], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_views_match_where_the_scene_overlaps_and_gradients_flow():
    views = _batch()
    # origin_coord survives rotation: matched points lie on the same spot of
    # the scene although their augmented coordinates differ
    pairs = match_by_origin(views[0]['origin_coord'], views[0]['offset'],
                            views[1]['origin_coord'], views[1]['offset'], 0.15)
    assert len(pairs) > 0.5 * len(views[0]['coord'])
    o0, o1 = views[0]['origin_coord'][pairs[:, 0]], \
        views[1]['origin_coord'][pairs[:, 1]]
    assert float((o0 - o1).norm(dim=1).max()) <= 0.15
    moved = (views[0]['coord'][pairs[:, 0]] - views[1]['coord'][pairs[:, 1]])
    assert float(moved.norm(dim=1).mean()) > 0.2
    batch0 = views[0]['batch'][pairs[:, 0]]
    assert torch.equal(batch0, views[1]['batch'][pairs[:, 1]])

    model = _model()
    losses = model.loss(views)
    assert 0 < float(losses['loss']) < 2 * np.log(128)
    assert float(losses['num_matches']) == 128
    losses['loss'].backward()
    grads = [p.grad for p in model.backbone.parameters()]
    assert all(g is not None for g in grads)
    assert float(model.backbone.stem.conv.weight.grad.abs().sum()) > 0


def test_non_overlapping_views_and_single_view_give_clear_errors():
    views = _batch()
    far = dict(views[1])
    far['origin_coord'] = far['origin_coord'] + 100
    with pytest.raises(ValueError, match='do not overlap'):
        _model().loss([views[0], far])
    with pytest.raises(ValueError, match='two views'):
        _model().loss([views[0]])


def test_ddp_averages_gradients_over_two_processes(tmp_path):
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
    mp.spawn(_ddp_worker, args=(2, free_port(), str(tmp_path)), nprocs=2)
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1))
    for g0, g1, l0, l1 in zip(r0['ddp'], r1['ddp'], r0['local'], r1['local']):
        assert torch.equal(g0, g1)
        assert torch.allclose(g0, (l0 + l1) / 2, atol=1e-6)
    assert not torch.allclose(r0['local'][0], r1['local'][0])


def test_train_tool_and_resume(tmp_path):
    proc = _train(tmp_path, '--cfg-options', 'train_cfg.max_iters=2')
    assert 'loss:' in proc.stdout + proc.stderr
    assert 'num_matches: 256' in proc.stdout + proc.stderr
    first = torch.load(tmp_path / 'iter_2.pth', weights_only=True)
    proc = _train(tmp_path, '--resume', '--cfg-options',
                  'train_cfg.max_iters=4')
    log = proc.stdout + proc.stderr
    # resumed at iteration 2: the first logged iteration is 3, not 1
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    second = torch.load(tmp_path / 'iter_4.pth', weights_only=True)
    assert first['meta']['iter'] == 2 and second['meta']['iter'] == 4
    changed = [k for k in first['state_dict'] if k.endswith('weight') and
               not torch.equal(first['state_dict'][k], second['state_dict'][k])]
    assert changed


def test_predict_splits_normalised_voxel_features_by_cloud():
    views = _batch(rotate=False)
    model = _model().eval()
    with torch.no_grad():
        feats = model(views, mode='tensor')
        samples = model(views, mode='predict')
    sizes = torch.diff(views[0]['offset'], prepend=torch.zeros(1)).long()
    assert [len(s.point_feats) for s in samples] == sizes.tolist()
    start = 0
    for sample, size in zip(samples, sizes.tolist()):
        rows = feats[start:start + size]
        # F.normalize's eps: an all-zero voxel feature stays zero
        norm = rows.norm(dim=1, keepdim=True).clamp(min=1e-12)
        assert torch.allclose(sample.point_feats, rows / norm, atol=1e-5)
        assert torch.equal(sample.coords,
                           views[0]['coord'][start:start + size])
        start += size
