"""Colour a point cloud by feature similarity to query points.

    python tools/visualize_point_similarity.py CONFIG [--checkpoint CKPT]
        [--cloud FILE | --object-seed 0] [--query INDEX ...]
        [--num-points N] [--out-dir point_similarity]

Point-patch models (Point-CMAE / Point-MAE configs): the cloud (any format
``densessl.datasets.point_io`` reads, or an embedded object) is subsampled to
1024 points and normalised to the unit sphere; each point's feature is
propagated from the model's group tokens (3 nearest centres). Sparse U-Net
models (PointContrast, 3D segmentation configs): the cloud (or an embedded
room) keeps its metric scale, is voxelised with the config's grid size, and
each point takes its voxel's feature (20000 points by default). Writes, per
query, ``query_I.ply`` (points coloured by percentile-normalised cosine
similarity; open in MeshLab / CloudCompare / open3d) and one ``similarity.png``
render of all queries from two viewpoints. ``.npy`` output is written too
when open3d is missing.
"""
import argparse
import os
import os.path as osp
import sys

import numpy as np


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a densessl point pretraining config')
    parser.add_argument('--checkpoint')
    parser.add_argument('--cloud', help='point-cloud or mesh file')
    parser.add_argument('--object-seed', type=int, default=0,
                        help='embedded object (or room, for sparse models) '
                        'when --cloud is not given')
    parser.add_argument('--query', type=int, action='append',
                        help='query point index (repeatable; default: 3 '
                        'spread-out points)')
    parser.add_argument('--num-points', type=int,
                        help='points kept (default 1024 for objects, 20000 '
                        'for scenes)')
    parser.add_argument('--out-dir', default='point_similarity')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--trust-checkpoint', action='store_true')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch

    from mmengine.config import Config

    from densessl.apis import init_model
    from densessl.datasets import generate_object, generate_room
    from densessl.datasets.point_io import read_point_cloud, write_point_cloud
    from densessl.models.backbones import MinkUNet
    from densessl.ops import farthest_point_sample
    from densessl.evaluation.features import (point_features,
                                              sparse_point_features)
    from densessl.visualization.point_similarity import (
        find_grid_size, point_similarity, render_point_similarity,
        similarity_colors)
    try:
        model = init_model(args.config, args.checkpoint, args.device,
                           args.trust_checkpoint)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(str(err))
    sparse = isinstance(getattr(model, 'backbone', None), MinkUNet)
    num_points = args.num_points or (20000 if sparse else 1024)
    color = None
    if args.cloud:
        try:
            cloud = read_point_cloud(args.cloud)
        except (ValueError, FileNotFoundError, ImportError) as err:
            raise SystemExit(str(err))
        coord = cloud[:, :3]
        if sparse and cloud.shape[1] >= 6:
            color = cloud[:, 3:6] / (255 if cloud[:, 3:6].max() > 1 else 1)
        name = osp.basename(args.cloud)
    elif sparse:
        room = generate_room(args.object_seed, num_points)
        coord, color = room['coord'], room['color']
        name = f'room {args.object_seed}'
    else:
        coord = generate_object(args.object_seed, num_points)['coord']
        name = f'object {args.object_seed}'
    rng = np.random.default_rng(0)
    if len(coord) > num_points:
        keep = rng.choice(len(coord), num_points, replace=False)
        coord = coord[keep]
        color = None if color is None else color[keep]
    if not sparse:  # point-patch models work on unit-sphere objects
        coord = coord - coord.mean(0)
        coord = coord / max(np.linalg.norm(coord, axis=1).max(), 1e-12)
    points = torch.from_numpy(coord.astype(np.float32))
    queries = args.query or farthest_point_sample(points[None], 3)[0].tolist()
    try:
        if sparse:
            feats = sparse_point_features(
                model, coord, find_grid_size(Config.fromfile(args.config)) or
                0.05, color)
        else:
            feats = point_features(model, points)
        maps = [point_similarity(feats, q).numpy() for q in queries]
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(str(err))
    os.makedirs(args.out_dir, exist_ok=True)
    for q, sim in zip(queries, maps):
        colors = similarity_colors(sim)
        try:
            path = write_point_cloud(osp.join(args.out_dir, f'query_{q}.ply'),
                                     coord, colors)
        except ImportError as err:
            print(f'warning: {err}; writing .npy instead')
            path = write_point_cloud(osp.join(args.out_dir, f'query_{q}.npy'),
                                     coord, colors)
        print(f'query {q}: most similar other point '
              f'{int(np.argsort(-sim)[1])}, similarity range '
              f'[{sim.min():.3f}, {sim.max():.3f}] -> {path}')
    np.savez(osp.join(args.out_dir, 'similarity.npz'), coord=coord,
             queries=np.array(queries), maps=np.stack(maps))
    weights = osp.basename(args.checkpoint) if args.checkpoint else \
        'random init'
    png = render_point_similarity(
        coord, maps, queries, osp.join(args.out_dir, 'similarity.png'),
        f'{osp.splitext(osp.basename(args.config))[0]} ({weights}); {name}')
    print(f'Wrote {png}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
