"""The comparison harness's fairness pieces: shortened schedules, one
random row per backbone init, seeds summarised and written as md / JSON /
PNG; and BN recalibration."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
import compare_pretraining as harness  # noqa: E402


def _cfg(method):
    return Config.fromfile(osp.join(ROOT, harness.CONFIGS[method]))


def test_shortened_run_scales_warmup_and_cosine():
    cfg = _cfg('byol')  # warm-up 1 of 6 epochs, cosine over epochs 1..6
    per_epoch = harness.iters_per_epoch(cfg)
    assert per_epoch == 50
    harness.shorten_schedule(cfg, 2)
    warmup, cosine = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 2
    assert (warmup.begin, warmup.end) == (0, round(50 * 2 / 6))
    assert (cosine.begin, cosine.end) == (round(50 * 2 / 6), 100)
    assert cosine.T_max == round(5 * 50 * 2 / 6)
    assert not warmup.by_epoch and 'convert_to_iter_based' not in warmup
    untouched = _cfg('byol')
    harness.shorten_schedule(untouched, 6)
    assert untouched.param_scheduler[0].by_epoch


def test_each_backbone_init_gets_its_own_random_row():
    rows = harness.random_rows(['densecl', 'mocov2', 'byol', 'pixpro',
                                'slotcon'])
    names = [name for name, _ in rows]
    assert len(rows) == 2, names
    assert 'densecl/mocov2' in names[0] and 'byol/pixpro/slotcon' in names[1]
    inits = {_cfg(m).model.backbone.zero_init_last for _, m in rows}
    assert inits == {False, True}


def test_results_are_summarised_over_seeds_and_written(tmp_path):
    def run(probe, knn):
        return dict(probe=dict(mIoU=probe), knn=dict(mIoU=knn))
    results = {'random': [run(10, 20), run(12, 22), run(14, 24)],
               'densecl': [run(30, 40), run(30, 40), run(30, 40)]}
    summary = harness.summarise(results)
    assert summary['random']['probe'] == pytest.approx((12.0, 2.0))
    assert summary['densecl']['knn'] == (40.0, 0.0)
    args = harness.parse_args(['--work-dir', str(tmp_path)])
    table = harness.write_results(results, args, str(tmp_path))
    assert '| random | 12.00 +- 2.00 | 22.00 +- 2.00 |' in table
    saved = json.loads((tmp_path / 'results.json').read_text())
    assert saved['summary']['random']['probe']['std'] == pytest.approx(2.0)
    assert len(saved['runs']['densecl']) == 3
    png = (tmp_path / 'results.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n'


def test_bn_recalibration_sets_the_statistics_of_the_given_images():
    from densessl.apis import recalibrate_bn
    from densessl.registry import MODELS
    from helpers import densecl_cfg
    model = MODELS.build(densecl_cfg()).eval()
    images = torch.randint(0, 255, (6, 3, 32, 32), dtype=torch.uint8)
    assert recalibrate_bn(model, images, batch_size=3) > 0
    assert not model.training
    bn1 = model.backbone.timm_model.bn1
    # after one pass the first BN's mean is the batch-averaged mean of its
    # input (conv1 of the normalised images)
    data = model.data_preprocessor(dict(inputs=images), False)['inputs']
    x = data[0] if isinstance(data, (list, tuple)) else data
    with torch.no_grad():
        conv = model.backbone.timm_model.conv1(x)
    expected = (conv[:3].mean((0, 2, 3)) + conv[3:].mean((0, 2, 3))) / 2
    assert torch.allclose(bn1.running_mean, expected, atol=1e-4)
    assert bn1.momentum == 0.1
