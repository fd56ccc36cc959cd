"""Similarity maps: values against numpy, the self-match property, the tool and
the hook write readable PNGs."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from densessl.visualization.similarity import (add_prompt_masks,
                                               cell_to_pixel,
                                               cosine_similarity_map,
                                               largest_object_centres, pca_rgb,
                                               percentile_normalise,
                                               pixel_to_cell, similarity_maps)
from helpers import build, densecl_cfg

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/densecl/densecl_resnet18_1xb32-coslr-6e_scenes.py'


def test_cosine_map_equals_numpy():
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(6, 4, 5))
    query = rng.normal(size=6)
    expected = np.einsum('c,chw->hw', query, feats) / (
        np.linalg.norm(query) * np.linalg.norm(feats, axis=0))
    got = cosine_similarity_map(torch.tensor(query), torch.tensor(feats))
    assert np.allclose(got.numpy(), expected, atol=1e-6)


def test_pixel_cell_round_trip_and_bounds():
    # 160 px image, 5 x 5 map: cells are 32 px wide
    assert pixel_to_cell((0, 0), (160, 160), (5, 5)) == (0, 0)
    assert pixel_to_cell((159, 31.9), (160, 160), (5, 5)) == (0, 4)
    assert pixel_to_cell((40, 100), (160, 160), (5, 5)) == (3, 1)
    for row in range(5):
        for col in range(5):
            xy = cell_to_pixel((row, col), (5, 5), (160, 160))
            assert pixel_to_cell(xy, (160, 160), (5, 5)) == (row, col)
    with pytest.raises(ValueError, match='outside'):
        pixel_to_cell((160, 3), (160, 160), (5, 5))


def test_percentile_normalise_and_pca():
    values = np.concatenate([np.linspace(0, 1, 998), [50.0, -50.0]])
    out = percentile_normalise(values, 1, 99)
    assert out.min() == 0 and out.max() == 1
    # the two outliers are clipped instead of compressing everything else
    assert np.ptp(out[:998]) == 1 and out[998] == 1 and out[999] == 0
    lo, hi = np.percentile(values, [1, 99])
    assert np.allclose(out[100:900], (values[100:900] - lo) / (hi - lo))
    assert np.all(percentile_normalise(np.ones(7)) == 0)
    # PCA: a map whose cells differ only along one direction gives colours
    # that order the cells along that direction in the first channel
    direction = torch.randn(8)
    coeff = torch.linspace(-1, 1, 12)
    feats = (coeff[:, None] * direction[None]).T.reshape(8, 3, 4)
    rgb = pca_rgb([feats, feats])
    assert rgb[0].shape == (3, 4, 3) and np.array_equal(rgb[0], rgb[1])
    first = rgb[0][..., 0].reshape(-1)
    order = np.argsort(first)
    assert list(order) in (list(range(12)), list(range(11, -1, -1)))


def test_query_matches_itself_and_identical_images_match_identity():
    torch.manual_seed(0)
    model = build(densecl_cfg()).eval()
    from densessl.datasets import generate_scene
    from densessl.apis import dense_features
    scene = generate_scene(3, (96, 96))
    image = torch.from_numpy(scene['img']).permute(2, 0, 1)
    feats = dense_features(model, torch.stack([image, image]))
    assert feats.shape == (2, 512, 3, 3)
    queries = [(10, 10), (50, 40), (90, 90)]
    for res in similarity_maps(feats[0], feats[1], queries, (96, 96)):
        cell = res['query_cell']
        assert res['map_a'][cell] == pytest.approx(1.0, abs=1e-5)
        assert res['map_a'][cell] == res['map_a'].max()
        assert res['best_cell_a'] == cell and res['best_cell_b'] == cell


def test_largest_object_centres_lie_on_their_objects():
    from densessl.datasets import generate_scene
    inst = generate_scene(5)['gt_instance_map']
    centres = largest_object_centres(inst, limit=2)
    assert len(centres) == 2
    sizes = []
    for x, y in centres:
        k = inst[int(y), int(x)]
        assert k > 0
        sizes.append((inst == k).sum())
    assert sizes[0] >= sizes[1]


def test_prompt_masks_threshold_at_the_mean_and_score_the_queried_object():
    # a 4 x 4 map, high on its top-left 2 x 2 cells; the 8 x 8 instance map
    # has object 3 exactly there, object 5 elsewhere, a void row at the end
    cos = torch.full((4, 4), -0.5)
    cos[:2, :2] = 1.0
    instances = np.full((8, 8), 5, np.uint8)
    instances[:4, :4] = 3
    instances[7] = 255
    results = [dict(query_xy=(1.0, 1.0), map_a=cos),
               dict(query_xy=(6.0, 7.0), map_a=cos)]
    on_object, on_void = add_prompt_masks(results, instances)
    # independent re-derivation: bilinear upsampling, then above its mean
    up = torch.nn.functional.interpolate(cos[None, None], size=(8, 8),
                                         mode='bilinear',
                                         align_corners=False)[0, 0].numpy()
    expected = (up > up.mean()) & (instances != 255)
    assert np.array_equal(on_object['prompt_mask'], expected)
    truth = instances == 3
    iou = (expected & truth).sum() / (expected | truth).sum()
    assert on_object['prompt_iou'] == pytest.approx(iou)
    assert np.array_equal(on_object['object_mask'], truth)
    assert on_void['prompt_iou'] is None and on_void['object_mask'] is None


def _run(args):
    return subprocess.run([sys.executable, *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_tool_writes_png_and_arrays(tmp_path):
    from PIL import Image

    from densessl.datasets import generate_scene
    image = tmp_path / 'a.png'
    Image.fromarray(generate_scene(7, (120, 100))['img']).save(image)
    out, arrays = tmp_path / 'sim.png', tmp_path / 'sim.npz'
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--images',
                 str(image), '--query', '30,40', '--query', '90,100',
                 '--size', '64', '--out', str(out), '--save-arrays',
                 str(arrays)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Image.open(out) as png:
        assert png.format == 'PNG' and png.size[0] > 300
    saved = np.load(arrays)
    # one image given: B is A, so each query's best match on B is itself
    assert np.array_equal(saved['best_cell_b'], saved['query_cell'])
    assert np.allclose(saved['map_a'], saved['map_b'])
    assert saved['map_a'].shape == (2, 2, 2)  # 64 px / 32


def test_tool_draws_prompt_masks_from_a_mask_file(tmp_path):
    from PIL import Image

    from densessl.datasets import generate_scene
    scene = generate_scene(7, (96, 96))
    image, mask = tmp_path / 'a.png', tmp_path / 'a_objects.png'
    Image.fromarray(scene['img']).save(image)
    Image.fromarray(scene['gt_instance_map'].astype(np.uint8)).save(mask)
    x, y = largest_object_centres(scene['gt_instance_map'], 1)[0]
    out = tmp_path / 'sim.png'
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--images',
                 str(image), '--mask', str(mask), '--query', f'{x},{y}',
                 '--size', '64', '--out', str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'prompt-mask IoU on A' in proc.stdout
    with Image.open(out) as png:  # four columns of 300 px
        assert png.size[0] >= 1200
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(mask)
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--images',
                 str(image), '--mask', str(mask)])
    assert proc.returncode == 2
    assert 'give the mask of image A' in proc.stderr


def test_tool_errors_are_clear(tmp_path):
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not an image')
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--images',
                 str(bad)])
    assert proc.returncode != 0 and 'Cannot read' in proc.stderr
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--query', '500,2'])
    assert proc.returncode == 2 and 'outside image A' in proc.stderr
    # a negative coordinate is a value, not an option
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--query', '-5,3'])
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith('error: --query -5,3 lies outside')
    wrong = tmp_path / 'wrong.pth'
    torch.save({'state_dict': {'head.x': torch.zeros(1)}}, wrong)
    proc = _run(['tools/visualize_similarity.py', CONFIG, '--checkpoint',
                 str(wrong)])
    assert proc.returncode != 0 and 'no backbone weights' in proc.stderr


def test_hook_draws_during_training(tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(ROOT, 'tests/data/densecl_tiny_deterministic.py'))
    cfg.work_dir = str(tmp_path)
    cfg.train_cfg.max_epochs = 1
    cfg.custom_hooks = [dict(type='SimilarityMapHook', interval=2,
                             image_size=64)]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=0)
    runner = Runner.from_cfg(cfg)
    runner.train()
    iters = runner.iter
    written = sorted(p.name for p in (tmp_path / 'similarity').glob('*.png'))
    expected = {f'iter_{i}.png' for i in range(2, iters + 1, 2)}
    expected.add(f'iter_{iters}.png')
    assert set(written) == expected
    assert runner.model.training  # the hook restores train mode
