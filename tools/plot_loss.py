"""Plot the loss curves of a training run to PNG.

    python tools/plot_loss.py work_dirs/RUN [--out loss.png] [--smooth 10]

WORK_DIR may be a run folder or a ``scalars.json`` file; with several runs
inside, the newest is used.
"""
import argparse
import glob
import os.path as osp
import sys


def find_scalars(path: str) -> str:
    if osp.isfile(path):
        return path
    found = sorted(glob.glob(osp.join(path, '**', 'scalars.json'),
                             recursive=True), key=osp.getmtime)
    if not found:
        raise SystemExit(f'No scalars.json under "{path}"; is it a work dir '
                         'of tools/train.py?')
    return found[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description='Plot loss curves')
    parser.add_argument('work_dir')
    parser.add_argument('--out', default=None,
                        help='PNG path (default: WORK_DIR/loss_curve.png)')
    parser.add_argument('--smooth', type=int, default=1,
                        help='moving-average window in logged points')
    args = parser.parse_args(argv)
    from densessl.visualization import plot_loss_curves, read_scalars
    scalars = find_scalars(args.work_dir)
    out = args.out or osp.join(
        args.work_dir if osp.isdir(args.work_dir) else osp.dirname(scalars),
        'loss_curve.png')
    series = read_scalars(scalars)
    title = osp.basename(osp.normpath(args.work_dir)) if osp.isdir(
        args.work_dir) else scalars
    plot_loss_curves(series, out, title=title, smooth=args.smooth)
    for key, points in sorted(series.items()):
        print(f'{key}: first {points[0][1]:.4f}  last {points[-1][1]:.4f}  '
              f'min {min(v for _, v in points):.4f}')
    print(f'Wrote {out}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
