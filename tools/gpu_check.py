"""Check that everything runs on an accelerator, and time it.

    bash tools/gpu_check.sh [--steps 20] [--backbone resnet50] [--size 224]
        [--batch 16] [--methods ...] [--no-train] [--out gpu_check.json]

1. Every 2D method (paper model configs on ``--backbone``) runs ``--steps``
   training steps in fp32 and under autocast in bf16 and (CUDA only) fp16;
   every loss must be finite and the first loss of each precision within
   ``--tolerance`` (relative) of fp32's. Step times (median, steps
   interleaved) and the method / baseline ratios are printed.
2. Unless ``--no-train``: ``tools/train.py`` runs the tiny configs of the
   tests end to end (a 2D method with ``--amp``, Point-CMAE, PointContrast
   on every sparse backend that imports here), and ``tools/dist_train.sh``
   one process through DDP.

Without a GPU it runs on the CPU (fp16 skipped), which the test suite uses
to check it. The JSON written by ``--out`` holds every figure with the
device's name; the exit status is 1 when any check failed.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default=None,
                        help='cuda or cpu (default: cuda when available)')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--backbone', default='resnet50')
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--methods', nargs='+', default=None)
    parser.add_argument('--tolerance', type=float, default=0.05,
                        help='largest relative difference of a reduced '
                        "precision's first loss from fp32's")
    parser.add_argument('--no-train', action='store_true',
                        help='skip the tools/train.py and DDP runs')
    parser.add_argument('--out', default=None, help='write the report here')
    args = parser.parse_args(argv)
    if args.steps < 1 or args.batch < 2:
        parser.error('--steps must be >= 1 and --batch >= 2')
    return args


def precisions(device: str):
    """The autocast runs this device supports, besides fp32."""
    import torch
    out = ['bf16']
    if device.startswith('cuda'):
        if not torch.cuda.is_bf16_supported():
            out = []
        out.append('fp16')
    return out


def check_methods(args, device, report):
    import copy

    import torch

    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from benchmark import RATIOS, method_cfgs, step_times

    from densessl.registry import MODELS
    cfgs = method_cfgs(args.backbone, args.size)
    names = args.methods or list(cfgs)
    unknown = sorted(set(names) - set(cfgs))
    if unknown:
        raise ValueError(f'unknown methods {unknown}; choose from '
                         f'{sorted(cfgs)}')
    variants = ['fp32'] + precisions(device)
    torch.manual_seed(0)
    models = {}
    for name in names:
        model = MODELS.build(cfgs[name]).to(device)
        model.init_weights()
        for variant in variants:
            models[name, variant] = copy.deepcopy(model).train()
    times, first, finite = step_times(models, args.batch, args.size,
                                      args.steps, device, track_finite=True)
    ok = True
    for name in names:
        for variant in variants:
            rel = abs(first[name, variant] - first[name, 'fp32']) / max(
                abs(first[name, 'fp32']), 1e-12)
            good = finite[name, variant] and (variant == 'fp32' or
                                              rel <= args.tolerance)
            ok &= good
            report['methods'].append(dict(
                method=name, precision=variant,
                ms_per_step=round(times[name, variant] * 1000, 1),
                first_loss=first[name, variant], rel_diff_vs_fp32=rel,
                all_finite=finite[name, variant], ok=good))
            print(f'  {name:9s} {variant:5s} {times[name, variant] * 1000:9.1f}'
                  f' ms/step  first loss {first[name, variant]:.4f} '
                  f'(rel. {rel:.1e})  {"ok" if good else "FAILED"}',
                  flush=True)
    for method, base, target in RATIOS:
        for variant in variants:
            if (method, variant) in times and (base, variant) in times:
                ratio = times[method, variant] / times[base, variant]
                report['ratios'].append(dict(pair=f'{method}/{base}',
                                             precision=variant,
                                             ratio=round(ratio, 3),
                                             target=target))
                print(f'  ratio {method}/{base} ({variant}): {ratio:.3f} '
                      f'(target <= {target})')
    return ok


def _run(name, command, timeout, report):
    start = time.time()
    try:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
        rc, tail = proc.returncode, (proc.stdout + proc.stderr)[-1500:]
    except subprocess.TimeoutExpired:
        rc, tail = 124, f'timed out after {timeout} s'
    ok = rc == 0
    report['runs'].append(dict(name=name, rc=rc, ok=ok,
                               seconds=round(time.time() - start, 1),
                               tail=None if ok else tail))
    print(f'  {name:40s} {"ok" if ok else f"FAILED (rc {rc})"} '
          f'{time.time() - start:.0f} s', flush=True)
    if not ok:
        print(tail)
    return ok


def check_training(args, device, work, report):
    python = sys.executable
    train = osp.join(ROOT, 'tools', 'train.py')
    ok = True
    runs = [('densecl tiny, --amp', 'tests/data/densecl_tiny_deterministic.py',
             ['--amp']),
            ('point-cmae tiny', 'tests/data/point_cmae_tiny.py', []),
            ('pointcontrast tiny (builtin)', 'tests/data/pointcontrast_tiny.py',
             ['--cfg-options', 'model.backbone.backend=builtin'])]
    for backend, module in (('spconv', 'spconv'),
                            ('minkowski', 'MinkowskiEngine')):
        if backend == 'spconv' and not device.startswith('cuda'):
            report['skipped'].append('pointcontrast spconv: its CPU build '
                                     'has no backward')
            continue
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 (any import failure: not here)
            report['skipped'].append(f'pointcontrast {backend}: {module} '
                                     'does not import')
            continue
        runs.append((f'pointcontrast tiny ({backend})',
                     'tests/data/pointcontrast_tiny.py',
                     ['--cfg-options', f'model.backbone.backend={backend}']))
    for name, config, extra in runs:
        slug = name.split()[0] + '_' + str(len(report['runs']))
        ok &= _run(name, [python, train, config, '--device', device,
                          '--work-dir', osp.join(work, slug), *extra],
                   900, report)
    env_config = osp.join(ROOT, 'tests/data/densecl_tiny_deterministic.py')
    ok &= _run('dist_train.sh, 1 process',
               ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), env_config,
                '1', '--work-dir', osp.join(work, 'ddp')], 900, report)
    return ok


def main(argv=None):
    args = parse_args(argv)
    import tempfile

    import torch

    from densessl.setup_env import register_all_modules
    register_all_modules()
    from mmengine.logging import MMLogger
    MMLogger.get_current_instance().setLevel('WARNING')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device.startswith('cuda') and not torch.cuda.is_available():
        raise ValueError('--device cuda, but torch sees no CUDA device '
                         f'(torch {torch.__version__})')
    name = (torch.cuda.get_device_name(torch.device(device))
            if device.startswith('cuda') else 'CPU')
    report = dict(device=device, device_name=name, torch=torch.__version__,
                  cuda=torch.version.cuda, backbone=args.backbone,
                  size=args.size, batch=args.batch, steps=args.steps,
                  methods=[], ratios=[], runs=[], skipped=[])
    if not device.startswith('cuda'):
        report['skipped'].append('fp16: CUDA only')
    print(f'{name} ({device}); torch {torch.__version__}, CUDA '
          f'{torch.version.cuda}; {args.backbone} at {args.size} px, batch '
          f'{args.batch}, {args.steps} steps', flush=True)
    ok = check_methods(args, device, report)
    if not args.no_train:
        with tempfile.TemporaryDirectory() as work:
            ok &= check_training(args, device, work, report)
    report['ok'] = bool(ok)
    if args.out:
        from densessl.utils.io import atomic_write_bytes
        atomic_write_bytes((json.dumps(report, indent=1) + '\n').encode(),
                           args.out)
        print(f'wrote {args.out}')
    print('all checks passed' if ok else 'SOME CHECKS FAILED')
    if not ok:
        raise SystemExit(1)


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    from densessl.utils.cli import run_tool
    run_tool(main)
