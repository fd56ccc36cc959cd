"""Point-cloud similarity: feature propagation against a direct computation,
the query is its own best match, and the tool writes a coloured .ply and a
PNG."""
import os.path as osp
import subprocess
import sys

import numpy as np
import torch

from densessl.ops import propagate_features
from densessl.visualization.point_similarity import point_similarity

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_propagation_equals_inverse_distance_weighting():
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(1, 20, 3))
    center = rng.normal(size=(1, 5, 3))
    feats = rng.normal(size=(1, 5, 4))
    got = propagate_features(torch.tensor(xyz), torch.tensor(center),
                             torch.tensor(feats))[0].numpy()
    for i in range(20):
        d = ((center[0] - xyz[0, i])**2).sum(1)
        near = np.argsort(d)[:3]
        w = 1 / (d[near] + 1e-8)
        assert np.allclose(got[i], (feats[0, near] * w[:, None]).sum(0) /
                           w.sum())
    # a point on a centre takes that centre's feature
    on = propagate_features(torch.tensor(center), torch.tensor(center),
                            torch.tensor(feats))
    assert torch.allclose(on, torch.tensor(feats), atol=1e-6)


def test_query_is_its_own_best_match():
    feats = torch.randn(50, 8)
    sim = point_similarity(feats, 7)
    assert sim[7] == torch.max(sim) and abs(sim[7].item() - 1) < 1e-6


def test_tool_writes_coloured_ply_and_png(tmp_path):
    import open3d as o3d
    proc = subprocess.run(
        [sys.executable, 'tools/visualize_point_similarity.py',
         'tests/data/point_cmae_tiny.py', '--num-points', '256', '--query',
         '5', '--query', '100', '--out-dir', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cloud = o3d.io.read_point_cloud(str(tmp_path / 'query_5.ply'))
    assert len(cloud.points) == 256 and cloud.has_colors()
    saved = np.load(tmp_path / 'similarity.npz')
    assert saved['maps'].shape == (2, 256)
    assert saved['maps'][0].argmax() == 5 or np.isclose(
        saved['maps'][0].max(), saved['maps'][0][5])
    # the query's own colour is the top of the colour map (dark red in jet)
    colors = np.asarray(cloud.colors)
    assert colors[5, 0] > 0.45 and colors[5, 2] < 0.1
    assert (tmp_path / 'similarity.png').stat().st_size > 10_000


def test_sparse_features_follow_voxels_and_tool_runs_on_rooms(tmp_path):
    from mmengine.config import Config

    from densessl.apis import init_model
    from densessl.datasets import generate_room
    from densessl.evaluation.features import sparse_point_features
    from densessl.visualization.point_similarity import find_grid_size
    cfg = Config.fromfile(osp.join(ROOT, 'tests/data/pointcontrast_tiny.py'))
    assert find_grid_size(cfg) == 0.1  # found inside PointMultiView
    model = init_model(cfg)
    room = generate_room(2, 1500)
    feats = sparse_point_features(model, room['coord'], 0.1, room['color'])
    assert feats.shape == (1500, 8)
    # points of one voxel share its feature; points of distant voxels differ
    grid = np.floor((room['coord'] - room['coord'].min(0)) / 0.1).astype(int)
    same = np.where((grid == grid[0]).all(1))[0]
    assert torch.allclose(feats[same], feats[same[0]].expand(len(same), -1))
    far = int(np.argmax(np.linalg.norm(room['coord'] - room['coord'][0],
                                       axis=1)))
    assert not torch.allclose(feats[0], feats[far])

    proc = subprocess.run(
        [sys.executable, 'tools/visualize_point_similarity.py',
         'tests/data/pointcontrast_tiny.py', '--num-points', '1200',
         '--query', '3', '--out-dir', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    saved = np.load(tmp_path / 'similarity.npz')
    assert saved['maps'].shape == (1, 1200)
    assert np.isclose(saved['maps'][0].max(), saved['maps'][0][3])
    assert (tmp_path / 'similarity.png').stat().st_size > 10_000
