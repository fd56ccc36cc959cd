"""How well do the label-free dense measures rank pretrained checkpoints?

    python tools/benchmarks/rank_label_free.py [--store benchmarks/results]
        [--work-dir work_dirs/compare] [--data photos] [--num-images 16]
        [--out benchmarks/label_free_ranking_DATA.json]

For every stored run of ``--data`` (random networks and pretrained
checkpoints of ``compare_pretraining.py``, evaluated at its default levels),
the measures of ``DenseQualityHook`` (dense alignment, uniformity,
prompt-point mIoU, on the hook's held-out scenes) are read from the run's
record (``compare_pretraining.py`` measures every run it stores), else
computed from the checkpoint in ``--work-dir``, else kept from ``--out``
(runs stored before records carried them, whose checkpoints are gone),
then the Spearman rank correlation of each measure with the stored probe
and kNN mIoU is printed with its n. Alignment and uniformity are negated
first (lower is better for both), so +1 means "ranks like the labels".
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, Optional

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--store', default='benchmarks/results')
    parser.add_argument('--work-dir', default='work_dirs/compare')
    parser.add_argument('--data', default='photos')
    parser.add_argument('--levels', type=int, nargs='+', default=[-2, -1],
                        help='use the stored runs evaluated at these levels')
    parser.add_argument('--num-images', type=int, default=16)
    parser.add_argument('--out', default=None, help='default: '
                        'benchmarks/label_free_ranking_DATA.json')
    return parser.parse_args(argv)


def spearman(a, b) -> float:
    """Spearman's rho (average ranks for ties)."""
    import numpy as np
    from scipy.stats import rankdata
    ra, rb = rankdata(a), rankdata(b)
    if np.std(ra) == 0 or np.std(rb) == 0:
        return float('nan')
    return float(np.corrcoef(ra, rb)[0, 1])


def method_of(init: str) -> str:
    """The method whose config builds a run's network (for a random row,
    the first method its name lists)."""
    from densessl.evaluation.results_store import random_members
    return random_members(init)[0] if init.startswith('random') else init


def label_free_measures(method: str, seed: int, data: str,
                        checkpoint: Optional[str],
                        num_images: int) -> Dict[str, float]:
    """The measures of ``DenseQualityHook`` for one network of the
    comparison: ``method``'s config with ``checkpoint`` loaded, or its random
    init under ``seed`` (as the comparison's random rows) when None."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from densessl.apis import init_model
    from densessl.engine.hooks import DenseQualityHook
    from densessl.registry import DATASETS
    sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
    from compare_pretraining import CONFIGS
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[method]))
    cfg.train_dataloader.dataset.source = data
    torch.manual_seed(seed)  # the random rows' init
    model = init_model(cfg, checkpoint)
    with DefaultScope.overwrite_default_scope('densessl'):
        dataset = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                      num_images=1))
    hook = DenseQualityHook(num_images=num_images)
    return hook.measure(model, hook.held_out_batch(dataset))


def measure_run(record, args) -> Optional[Dict[str, float]]:
    """A stored run's measures: from its record when the comparison kept
    them at this ``--num-images``, else from its checkpoint in
    ``--work-dir``; None when neither is here."""
    kept = record.get('label_free')
    if kept and kept.get('num_images') == args.num_images:
        return {m: kept[m] for m in MEASURES}
    method = method_of(record['init'])
    checkpoint = None
    if not record['init'].startswith('random'):
        checkpoint = osp.join(args.work_dir, args.data, method,
                              f'seed_{record["seed"]}',
                              f'epoch_{record["budget"]["epochs"]}.pth')
        if not osp.isfile(checkpoint):
            return None
    return label_free_measures(method, record['seed'], args.data,
                               checkpoint, args.num_images)


#: the measures, and the sign that makes larger mean better
MEASURES = dict(alignment=-1, uniformity=-1, prompt_mIoU=1)


def row_identity(row: dict) -> tuple:
    """What ties a measured row to its stored run: the run's numbers
    (rows written before rows carried the record key have only these)."""
    return (row['init'], row['seed'], round(row['probe'], 6),
            round(row['knn'], 6))


def earlier_rows(path: str) -> dict:
    """Rows of an earlier ranking file by :func:`row_identity`, so that runs
    whose checkpoints are gone from this machine keep their measures (they
    are a function of the checkpoint and the fixed held-out batch)."""
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return {row_identity(r): r for r in json.load(f)['runs']}


def correlations(rows, title: str) -> dict:
    """Spearman's rho of each measure (signed so larger is better) with the
    probe and kNN mIoU over ``rows``; printed with n."""
    table = {m: {target: spearman([sign * r[m] for r in rows],
                                  [r[target] for r in rows])
                 for target in ('probe', 'knn')}
             for m, sign in MEASURES.items()}
    for measure, corr in table.items():
        print(f'{measure}: Spearman vs probe {corr["probe"]:+.2f}, vs kNN '
              f'{corr["knn"]:+.2f} (n = {len(rows)}, {title})')
    return table


def draw_ranking(rows, table: dict, out_file: str, title: str) -> str:
    """One scatter panel per measure against the stored probe mIoU, random
    networks and trained checkpoints marked apart, each panel titled with
    its Spearman rho over all runs (``table``, from :func:`correlations`)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from densessl.visualization.similarity import save_figure
    labels = dict(alignment='dense alignment (lower = more aligned)',
                  uniformity='uniformity (lower = more uniform)',
                  prompt_mIoU='prompt-point mIoU')
    fig, axes = plt.subplots(1, len(MEASURES),
                             figsize=(4 * len(MEASURES), 3.6))
    for ax, measure in zip(axes, MEASURES):
        for random, style in ((True, dict(marker='x', color='grey',
                                           label='random network')),
                              (False, dict(marker='o', color='tab:blue',
                                           label='trained'))):
            chosen = [r for r in rows
                      if r['init'].startswith('random') == random]
            ax.scatter([r[measure] for r in chosen],
                       [r['probe'] for r in chosen], **style)
        rho = table[measure]['probe']
        ax.set_xlabel(labels[measure], fontsize=9)
        ax.set_ylabel('probe mIoU', fontsize=9)
        ax.set_title(f'Spearman {rho:+.2f} (sign: larger is better)',
                     fontsize=9)
    axes[0].legend(fontsize=8)
    return save_figure(fig, out_file, title)


def main(argv=None):
    sys.path.insert(0, ROOT)
    from densessl.evaluation.results_store import load_records
    from densessl.utils.io import atomic_write_bytes
    args = parse_args(argv)
    args.out = args.out or f'benchmarks/label_free_ranking_{args.data}.json'
    records = [r for r in load_records(args.store)
               if r['data'] == args.data and
               r['eval'].get('levels') == args.levels]
    earlier = earlier_rows(args.out)
    rows = []
    for record in records:
        label = f'[{record["init"]} seed {record["seed"]}]'
        row = dict(key=record['key'], init=record['init'],
                   seed=record['seed'],
                   probe=record['metrics']['probe']['mIoU'],
                   knn=record['metrics']['knn']['mIoU'])
        scores = measure_run(record, args)
        if scores is None:
            kept = earlier.get(row_identity(row))
            if kept is None:
                print(f'{label} no checkpoint here; skipped')
                continue
            scores = {m: kept[m] for m in MEASURES}
            print(f'{label} no checkpoint here; measures kept from '
                  f'{args.out}')
        rows.append(dict(row, **scores))
        print(f'{label} ' + ', '.join(
            f'{k} {v:.3f}' for k, v in scores.items()), flush=True)
    if len(rows) < 3:
        raise SystemExit(f'error: {len(rows)} runs with checkpoints; a rank '
                         'correlation needs at least 3')
    table = correlations(rows, 'all runs')
    trained = [r for r in rows if not r['init'].startswith('random')]
    # among trained checkpoints only: what the hook compares during training
    table_trained = correlations(trained, 'trained checkpoints only') \
        if len(trained) >= 3 else None
    atomic_write_bytes(json.dumps(dict(
        n=len(rows), spearman=table, n_trained=len(trained),
        spearman_trained=table_trained, runs=rows), indent=1).encode(),
        args.out)
    plot = osp.splitext(args.out)[0] + '.png'
    draw_ranking(rows, table, plot, f'{args.data}: label-free measures '
                 f'against the probe (n = {len(rows)})')
    print(f'Wrote {args.out} and {plot}')
    return table


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    from densessl.utils.cli import run_tool
    run_tool(main)
