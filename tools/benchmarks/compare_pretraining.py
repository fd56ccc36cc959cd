"""Reproduce the papers' comparison at small scale on the embedded scenes:
MoCo-v2 vs DenseCL vs BYOL vs PixPro vs SlotCon and random initialisation,
each pretrained with the same budget (same iterations, batch, crops,
ResNet-18), then judged by the frozen dense linear probe and kNN retrieval
(mIoU, ``tools/benchmarks/dense_eval.py``).

    python tools/benchmarks/compare_pretraining.py [--methods densecl ...]
        [--epochs 2] [--seeds 0 1 2] [--bn-recalibrate 0]
        [--work-dir work_dirs/compare] [--num-train 400] [--num-val 200]
        [--size 224] [--levels -1]

Fairness: every method's random row is built from *that method's* config
(DenseCL / MoCo-v2 use ``zero_init_last=False``, BYOL / PixPro / SlotCon
timm's zero-gamma init), so methods are compared with their own starting
point; ``--epochs`` shorter than the config's shortens every schedule with
it (warm-up and cosine LR phases scaled and converted to iterations; the EMA
schedule follows the run's length already). ``--seeds`` repeats pretraining
and evaluation per seed and reports mean +- std.

Runs go to WORK_DIR/METHOD/seed_S (a finished run is reused, so an
interrupted comparison continues); WORK_DIR/results.md (table),
results.json (every seed) and results.png (bar chart with std) are written.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
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
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--bn-recalibrate', type=int, default=0,
                        help='re-estimate BN statistics on N train images '
                        'before evaluating (0: off)')
    parser.add_argument('--no-random', action='store_true',
                        help='skip the random-init rows')
    parser.add_argument('--work-dir', default='work_dirs/compare')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--levels', type=int, nargs='+', default=[-1])
    parser.add_argument('--probe-epochs', type=int, default=30)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def iters_per_epoch(cfg) -> int:
    loader = cfg.train_dataloader
    return max(1, loader.dataset.num_images // loader.batch_size)


def shorten_schedule(cfg, max_epochs: int) -> None:
    """Run ``cfg`` for ``max_epochs`` with every LR phase scaled by
    ``max_epochs / configured epochs``; epoch-based phases become
    iteration-based so that a shortened warm-up can end mid-epoch."""
    configured = cfg.train_cfg.max_epochs
    cfg.train_cfg.max_epochs = max_epochs
    if max_epochs == configured:
        return
    scale = max_epochs / configured
    per_epoch = iters_per_epoch(cfg)
    total = max_epochs * per_epoch
    for scheduler in cfg.get('param_scheduler') or []:
        unit = per_epoch if scheduler.get('by_epoch', True) else 1
        begin = round(scheduler.get('begin', 0) * unit * scale)
        end = min(total, round(scheduler.get('end', configured * per_epoch
                                             if unit == 1 else configured)
                               * unit * scale))
        scheduler.update(begin=begin, end=max(end, begin + 1), by_epoch=False)
        scheduler.pop('convert_to_iter_based', None)
        if 'T_max' in scheduler:
            scheduler['T_max'] = max(1, round(scheduler['T_max'] * unit *
                                              scale))
        if 'milestones' in scheduler:
            scheduler['milestones'] = [round(m * unit * scale)
                                       for m in scheduler['milestones']]


def random_rows(methods):
    """One random-init row per distinct backbone config: (row name, method
    whose config builds it)."""
    from mmengine.config import Config
    rows, seen = [], {}
    for method in methods:
        backbone = Config.fromfile(osp.join(ROOT, CONFIGS[method])
                                   ).model.backbone.to_dict()
        key = json.dumps(backbone, sort_keys=True)
        if key in seen:
            seen[key].append(method)
        else:
            seen[key] = [method]
            rows.append((key, method))
    return [(f'random ({"/".join(seen[key])} init)', method)
            for key, method in rows]


def pretrain(method: str, seed: int, args) -> str:
    from mmengine.config import Config
    work_dir = osp.join(args.work_dir, method, f'seed_{seed}')
    checkpoint = osp.join(work_dir, f'epoch_{args.epochs}.pth')
    if osp.isfile(checkpoint):
        print(f'[{method} seed {seed}] reusing {checkpoint}', flush=True)
        return checkpoint
    os.makedirs(work_dir, exist_ok=True)
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[method]))
    shorten_schedule(cfg, args.epochs)
    cfg.randomness = dict(seed=seed)
    config = osp.join(work_dir, 'config.py')
    cfg.dump(config)
    print(f'[{method} seed {seed}] pretraining {args.epochs} epochs -> '
          f'{work_dir}', flush=True)
    start = time.time()
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools/train.py'), config,
         '--work-dir', work_dir, '--device', args.device],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0 or not osp.isfile(checkpoint):
        raise SystemExit(f'[{method}] pretraining failed:\n'
                         f'{proc.stderr[-3000:]}')
    print(f'[{method} seed {seed}] pretrained in {time.time() - start:.0f} s',
          flush=True)
    return checkpoint


def summarise(results):
    """{row: {metric: (mean, std)}} over the seeds of each row."""
    out = {}
    for row, runs in results.items():
        out[row] = {}
        for metric in ('probe', 'knn'):
            values = [r[metric]['mIoU'] for r in runs]
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            out[row][metric] = (statistics.mean(values), std)
    return out


def write_results(results, args, work_dir):
    summary = summarise(results)
    seeds = len(next(iter(results.values())))
    lines = [
        f'Frozen ResNet-18, levels {args.levels}; {args.num_train} train / '
        f'{args.num_val} val embedded scenes at {args.size} px; pretraining '
        f'{args.epochs} epochs x 50 iterations x 32 images, 128 px crops; '
        f'mean +- std over {seeds} seed(s).', '',
        '| init | probe mIoU | kNN mIoU |', '|---|---|---|']
    lines += [f'| {row} | {p[0]:.2f} +- {p[1]:.2f} | {k[0]:.2f} +- '
              f'{k[1]:.2f} |' for row, (p, k) in
              ((r, (s['probe'], s['knn'])) for r, s in summary.items())]
    table = '\n'.join(lines)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(dict(args=vars(args), runs=results,
                       summary={r: {m: dict(mean=v[0], std=v[1])
                                    for m, v in s.items()}
                                for r, s in summary.items()}), f, indent=1)
    plot_results(summary, osp.join(work_dir, 'results.png'))
    return table


def plot_results(summary, path: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = list(summary)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(rows)), 4))
    width = 0.38
    for i, metric in enumerate(('probe', 'knn')):
        means = [summary[r][metric][0] for r in rows]
        stds = [summary[r][metric][1] for r in rows]
        ax.bar([x + (i - 0.5) * width for x in range(len(rows))], means,
               width, yerr=stds, capsize=3, label=f'{metric} mIoU')
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(rows, rotation=25, ha='right', fontsize=8)
    ax.set_ylabel('mIoU (%)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    sys.path.insert(0, ROOT)
    sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
    from dense_eval import parse_args as eval_args
    from dense_eval import run_dense_eval
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    rows = [] if args.no_random else [
        (name, method, False) for name, method in random_rows(args.methods)]
    rows += [(method, method, True) for method in args.methods]
    results = {}
    for name, method, pretrained in rows:
        for seed in args.seeds:
            checkpoint = pretrain(method, seed, args) if pretrained else None
            options = [osp.join(ROOT, CONFIGS[method]), '--num-train',
                       str(args.num_train), '--num-val', str(args.num_val),
                       '--size', str(args.size), '--epochs',
                       str(args.probe_epochs), '--device', args.device,
                       '--seed', str(seed), '--bn-recalibrate',
                       str(args.bn_recalibrate), '--levels',
                       *map(str, args.levels)]
            if checkpoint:
                options += ['--checkpoint', checkpoint]
            result = run_dense_eval(eval_args(options))
            results.setdefault(name, []).append(result)
            print(f'[{name} seed {seed}] probe mIoU '
                  f'{result["probe"]["mIoU"]:.2f}, kNN mIoU '
                  f'{result["knn"]["mIoU"]:.2f}', flush=True)
    print('\n' + write_results(results, args, args.work_dir))


if __name__ == '__main__':
    main()
