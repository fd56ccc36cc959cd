"""3D speed, measured side by side in one process.

    python tools/benchmark_3d.py [--batch 32] [--points 1024] [--repeat 5]
                                 [--profile-minkowski]

* Point-MAE operators on ``batch`` clouds of ``points`` points: FPS (64
  centres), KNN grouping (64 x 32), Chamfer-L2 on the masked groups
  (38 x 32 vs 38 x 32 per cloud) — clouds / s;
* a MinkUNet14 on an embedded indoor-like scene (objects placed on a floor,
  voxelised at ``--grid``): the built-in backend's forward and forward +
  backward against spconv's forward (target: built-in forward <= 1.5x
  spconv's; spconv's CPU build has no backward) and, when installed,
  MinkowskiEngine's forward and forward + backward;
* ``--profile-minkowski``: where MinkowskiEngine's forward spends its time
  (cProfile, own time per function, grouped: ME's compiled kernels, ME's
  Python, densessl's backend code, torch).
"""
import argparse
import os.path as osp
import sys
import time
import warnings

import numpy as np
import torch


def timed(fn, repeat):
    fn()  # warm-up (kernel maps, allocations)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def scene_tensor(grid, seed=0, objects=12):
    """Objects from the 3D generator scattered over a 6 m x 6 m floor."""
    from densessl.datasets import generate_object
    from densessl.datasets.transforms import GridSample
    from densessl.models.sparse import SparseTensor
    rng = np.random.default_rng(seed)
    parts = [np.c_[rng.uniform(0, 6, (20000, 2)), np.zeros(20000)]]
    for i in range(objects):
        obj = generate_object(seed + i, 4096)['coord'] * rng.uniform(0.3, 0.8)
        parts.append(obj + [rng.uniform(0.5, 5.5), rng.uniform(0.5, 5.5), 0.5])
    coord = np.concatenate(parts).astype(np.float32)
    out = GridSample(grid, mode='test')(dict(coord=coord))
    coords = torch.from_numpy(out['grid_coord'])
    coords = torch.cat([torch.zeros(len(coords), 1, dtype=torch.long),
                        coords], 1)
    return SparseTensor(torch.from_numpy(out['coord']).float(), coords)


def profile_groups(stats) -> dict:
    """Own time (s) per group of a ``pstats.Stats``: ``ME kernels`` (the
    compiled ``MinkowskiEngineBackend`` functions), ``ME python``,
    ``densessl``, ``torch`` and ``other``."""
    groups = dict.fromkeys(('ME kernels', 'ME python', 'densessl', 'torch',
                            'other'), 0.0)
    for (path, _, name), row in stats.stats.items():
        own = row[2]
        where = f'{path}:{name}'
        if 'MinkowskiEngineBackend' in where or (
                path == '~' and ('_C' in name or 'Minkowski' in name or
                                 'CoordinateMap' in name)):
            groups['ME kernels'] += own
        elif 'MinkowskiEngine' in path:
            groups['ME python'] += own
        elif 'densessl' in path:
            groups['densessl'] += own
        elif 'torch' in path or path == '~' and 'torch' in name:
            groups['torch'] += own
        else:
            groups['other'] += own
    return groups


def profile_minkowski(net, fresh, repeat: int) -> None:
    """Print :func:`profile_groups` of ``repeat`` forwards and the five
    functions with the most own time."""
    import cProfile
    import pstats
    with torch.no_grad():
        net(fresh())  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            net(fresh())
        profiler.disable()
    stats = pstats.Stats(profiler)
    groups = profile_groups(stats)
    total = sum(groups.values())
    print(f'  minkowski forward, profiled over {repeat} runs '
          f'({total / repeat * 1e3:.1f} ms each, own time):')
    for group, t in groups.items():
        print(f'    {group:12s} {t / repeat * 1e3:8.1f} ms  '
              f'{100 * t / total:5.1f} %')
    top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:5]
    for (path, line, name), row in top:
        print(f'    {row[2] / repeat * 1e3:8.1f} ms  {row[1]:5d} calls  '
              f'{osp.basename(path)}:{name}')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--points', type=int, default=1024)
    parser.add_argument('--grid', type=float, default=0.05)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--threads', type=int, default=0,
                        help='torch threads (0: leave as is)')
    parser.add_argument('--profile-minkowski', action='store_true',
                        help='where MinkowskiEngine\'s forward spends its '
                        'time (needs MinkowskiEngine)')
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from densessl.models.sparse import SparseTensor
    from densessl.ops import chamfer_l2, farthest_point_sample, group_points
    from densessl.registry import MODELS
    from densessl.setup_env import register_all_modules
    register_all_modules()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'device cpu')
    g = torch.Generator().manual_seed(0)
    xyz = torch.randn(args.batch, args.points, 3, generator=g)
    pred = torch.randn(args.batch * 38, 32, 3, generator=g)
    target = torch.randn(args.batch * 38, 32, 3, generator=g)
    rows = [('FPS 64 centres', lambda: farthest_point_sample(xyz, 64)),
            ('FPS + KNN grouping 64 x 32', lambda: group_points(xyz, 64, 32)),
            ('Chamfer-L2, 38 groups x 32 pts', lambda: chamfer_l2(pred,
                                                                  target))]
    print(f'\nPoint-MAE operators, batch of {args.batch} clouds x '
          f'{args.points} points:')
    for name, fn in rows:
        t = timed(fn, args.repeat)
        print(f'  {name:34s} {t * 1e3:8.1f} ms  {args.batch / t:9.0f} '
              'clouds/s')

    x = scene_tensor(args.grid)
    print(f'\nMinkUNet14 on a scene of {len(x.coords)} voxels '
          f'({args.grid} m grid), 3 -> 96 channels:')
    torch.manual_seed(0)
    cfg = dict(type='MinkUNet', in_channels=3, out_channels=96, depth=14)
    builtin = MODELS.build(cfg).eval()
    fresh = lambda: SparseTensor(x.feats, x.coords)  # noqa: E731

    def fwd(net):
        with torch.no_grad():
            return net(fresh())

    def fwd_bwd(net):
        net.zero_grad()
        net(fresh()).feats.square().mean().backward()

    t_builtin = timed(lambda: fwd(builtin), args.repeat)
    t_train = timed(lambda: fwd_bwd(builtin), args.repeat)
    print(f'  built-in forward            {t_builtin * 1e3:8.1f} ms')
    print(f'  built-in forward + backward {t_train * 1e3:8.1f} ms')
    others = {'spconv': ('spconv.pytorch', 'pip install spconv'),
              'minkowski': ('MinkowskiEngine',
                            'bash tools/install_minkowski.sh')}
    for backend, (module, hint) in others.items():
        try:
            with warnings.catch_warnings():  # ME's "compiled with CPU_ONLY"
                warnings.simplefilter('ignore')
                __import__(module)
        except ImportError:
            print(f'  {backend}: not installed ({hint})')
            continue
        net = MODELS.build(dict(cfg, backend=backend)).eval()
        net.load_state_dict(builtin.state_dict())
        t_other = timed(lambda: fwd(net), args.repeat)
        # spconv's CPU transposed conv races with several threads: compare
        # the outputs single-threaded
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        diff = (fwd(builtin).feats - fwd(net).feats).abs().max()
        torch.set_num_threads(threads)
        print(f'  {backend + " forward":27s} {t_other * 1e3:8.1f} ms  '
              f'(max |difference| {diff:.2e})')
        if backend == 'minkowski' and args.profile_minkowski:
            profile_minkowski(net, fresh, args.repeat)
        if backend == 'minkowski':  # spconv's CPU build has no backward
            t_other_train = timed(lambda: fwd_bwd(net), args.repeat)
            print(f'  {backend + " forward + backward":27s} '
                  f'{t_other_train * 1e3:8.1f} ms')
        if backend == 'spconv':
            ratio, name, limit = t_builtin / t_other, 'built-in / spconv', 1.5
        else:
            ratio, name, limit = t_other / t_builtin, 'minkowski / built-in', \
                1.2
        verdict = 'met' if ratio <= limit else 'NOT met'
        print(f'  {name + " forward":27s} {ratio:8.2f}  (target <= {limit}: '
              f'{verdict})')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
