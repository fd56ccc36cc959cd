"""Run a fixed set of mmcv's compiled CPU ops on fixed inputs and save the
results, to check that two builds of mmcv compute the same numbers.

``python tools/mmcv_ops_fingerprint.py OUT.npz [--compare OTHER.npz]``

Run it once per build (e.g. ``PYTHONPATH=<other build's site dir>``), then
``--compare`` reports each op as equal or by its largest difference, and
exits 1 when any differs. ``docs/install.md`` used it to check the grouped
(unity) mmcv build against the file-by-file one.
"""
import argparse
import sys

import numpy as np


def fingerprint() -> dict:
    """{name: array} of op outputs and input gradients; seeded inputs."""
    import torch
    from mmcv import ops
    torch.manual_seed(0)
    out = {}
    boxes = torch.rand(200, 4) * 50
    boxes[:, 2:] += boxes[:, :2] + 1
    scores = torch.rand(200)
    out['nms'] = ops.nms(boxes, scores, 0.5)[1]
    out['soft_nms'] = ops.soft_nms(boxes, scores, 0.3)[0]

    def with_grad(name, fn, x):
        x = x.clone().requires_grad_()
        y = fn(x)
        y.sum().backward()
        out[name] = y.detach()
        out[name + '_grad'] = x.grad

    feats = torch.randn(2, 8, 32, 32)
    rois = torch.cat([torch.randint(0, 2, (20, 1)).float(), boxes[:20] / 2], 1)
    with_grad('roi_align',
              lambda x: ops.roi_align(x, rois, (7, 7), 1.0, 2, 'avg', True),
              feats)
    rotated = torch.cat([rois[:, :1], (rois[:, 1:3] + rois[:, 3:5]) / 2,
                         (rois[:, 3:5] - rois[:, 1:3]).abs() + 1,
                         torch.rand(20, 1)], 1)
    with_grad('roi_align_rotated',
              lambda x: ops.roi_align_rotated(x, rotated, (5, 5), 1.0, 2,
                                              True, False), feats)
    out['box_iou_rotated'] = ops.box_iou_rotated(rotated[:10, 1:],
                                                 rotated[5:15, 1:])
    out['nms_rotated'] = ops.nms_rotated(rotated[:, 1:], torch.rand(20),
                                         0.3)[1]
    out['psamask'] = ops.PSAMask('collect', (5, 5))(torch.randn(1, 25, 8, 8))
    image = torch.randn(1, 4, 9, 9)
    deform = ops.DeformConv2dPack(4, 4, 3, padding=1)
    modulated = ops.ModulatedDeformConv2dPack(4, 4, 3, padding=1)
    for module in (deform, modulated):
        for p in module.parameters():
            torch.nn.init.normal_(p, std=0.1)
    with_grad('deform_conv', deform, image)
    with_grad('modulated_deform_conv', modulated, image)
    points = torch.rand(1, 100, 3) * 4
    box = torch.tensor([[[1., 1, 1, 2, 2, 2, 0.3]]])
    out['points_in_boxes'] = ops.points_in_boxes_cpu(points, box)
    voxelize = ops.Voxelization([0.5, 0.5, 0.5], [0, 0, 0, 4, 4, 4], 10, 50)
    out['voxels'] = voxelize(torch.cat([points[0], torch.rand(100, 1)], 1))[0]
    return {k: v.detach().numpy() for k, v in out.items()}


def compare(a: dict, b: dict) -> list:
    """One line per op; a line starting with 'DIFFERS' for each mismatch."""
    lines = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            lines.append(f'DIFFERS {name}: only in one file')
        elif a[name].shape != b[name].shape:
            lines.append(f'DIFFERS {name}: shapes {a[name].shape} and '
                         f'{b[name].shape}')
        elif np.array_equal(a[name], b[name]):
            lines.append(f'equal   {name} {a[name].shape}')
        else:
            diff = np.abs(a[name].astype(np.float64) -
                          b[name].astype(np.float64)).max()
            lines.append(f'DIFFERS {name}: max |difference| {diff:.3g}')
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='.npz file to write')
    parser.add_argument('--compare', help='another build\'s .npz')
    args = parser.parse_args(argv)
    try:
        import mmcv.ops  # noqa: F401
    except ImportError as exc:
        print(f'mmcv with compiled ops is not installed ({exc}); run '
              'bash tools/install.sh --transfer', file=sys.stderr)
        return 1
    results = fingerprint()
    np.savez(args.out, **results)
    print(f'{len(results)} op results -> {args.out}')
    if args.compare:
        with np.load(args.compare) as other:
            lines = compare(results, dict(other))
        print('\n'.join(lines))
        return int(any(line.startswith('DIFFERS') for line in lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
