"""Reproduce the papers' comparison at small scale on the embedded scenes:
random init vs MoCo-v2 vs DenseCL vs BYOL vs PixPro vs SlotCon, each
pretrained with the same budget (same iterations, batch, crops, ResNet-18),
then judged by the frozen dense linear probe and kNN retrieval (mIoU).

    python tools/benchmarks/compare_pretraining.py [--methods random densecl ...]
        [--epochs 2] [--work-dir work_dirs/compare] [--num-train 400]
        [--num-val 200] [--size 224]

Pretraining runs go to WORK_DIR/METHOD (a finished run is reused, so an
interrupted comparison continues); the table is printed and written to
WORK_DIR/results.md and results.json.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'random': 'configs/densecl/densecl_resnet18_1xb32-coslr-6e_scenes.py',
    'mocov2': 'configs/mocov2/mocov2_resnet18_1xb32-coslr-6e_scenes.py',
    'densecl': 'configs/densecl/densecl_resnet18_1xb32-coslr-6e_scenes.py',
    'byol': 'configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'pixpro': 'configs/pixpro/pixpro_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'slotcon': 'configs/slotcon/slotcon_resnet18_1xb32-lars-coslr-6e_scenes.py',
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(CONFIGS),
                        choices=list(CONFIGS))
    parser.add_argument('--epochs', type=int, default=2,
                        help='pretraining epochs (50 iterations of 32 each)')
    parser.add_argument('--work-dir', default='work_dirs/compare')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--probe-epochs', type=int, default=30)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def pretrain(method: str, args) -> str:
    work_dir = osp.join(args.work_dir, method)
    checkpoint = osp.join(work_dir, f'epoch_{args.epochs}.pth')
    if osp.isfile(checkpoint):
        print(f'[{method}] reusing {checkpoint}', flush=True)
        return checkpoint
    print(f'[{method}] pretraining {args.epochs} epochs -> {work_dir}',
          flush=True)
    start = time.time()
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools/train.py'),
         osp.join(ROOT, CONFIGS[method]), '--work-dir', work_dir,
         '--device', args.device, '--cfg-options',
         f'train_cfg.max_epochs={args.epochs}'],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0 or not osp.isfile(checkpoint):
        raise SystemExit(f'[{method}] pretraining failed:\n'
                         f'{proc.stderr[-3000:]}')
    print(f'[{method}] pretrained in {time.time() - start:.0f} s', flush=True)
    return checkpoint


def main(argv=None):
    sys.path.insert(0, ROOT)
    sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
    from dense_eval import parse_args as probe_args
    from dense_eval import run_dense_eval
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    results = {}
    for method in args.methods:
        checkpoint = None if method == 'random' else pretrain(method, args)
        probe = probe_args([
            osp.join(ROOT, CONFIGS[method]), '--num-train',
            str(args.num_train), '--num-val', str(args.num_val), '--size',
            str(args.size), '--epochs', str(args.probe_epochs), '--device',
            args.device] + (['--checkpoint', checkpoint] if checkpoint else []))
        print(f'[{method}] linear probe', flush=True)
        results[method] = run_dense_eval(probe)
        print(f'[{method}] probe mIoU {results[method]["probe"]["mIoU"]:.2f}'
              f', kNN mIoU {results[method]["knn"]["mIoU"]:.2f}', flush=True)
    lines = [
        f'Frozen ResNet-18, 1x1-conv probe on C5, {args.num_train} train / '
        f'{args.num_val} val scenes at {args.size} px; pretraining '
        f'{args.epochs} epochs x 50 iterations x 32 images, 128 px crops.',
        '', '| init | probe mIoU | probe aAcc | kNN mIoU |', '|---|---|---|---|']
    lines += [f'| {m} | {r["probe"]["mIoU"]:.2f} | {r["probe"]["aAcc"]:.2f} '
              f'| {r["knn"]["mIoU"]:.2f} |' for m, r in results.items()]
    table = '\n'.join(lines)
    print('\n' + table)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
