"""Compare pretraining methods by dense evaluation, growing a results store.

Each method pretrains its small ResNet-18 config on the embedded scenes
(``--data procedural``) or on the unlabelled images of the real-photo fixture
(``--data photos``), then is judged by the frozen dense linear probe and kNN
retrieval (``tools/benchmarks/dense_eval.py``) on held-out labelled scenes
of the same source, beside a random network of the same init::

    python tools/benchmarks/compare_pretraining.py [--methods densecl ...]
        [--data procedural|photos] [--epochs 6] [--seeds 0 1 2]
        [--max-minutes 60] [--store benchmarks/results]
        [--work-dir work_dirs/compare] [--num-train 400] [--num-val 200]
        [--size 224] [--levels -2 -1] [--bn-recalibrate 0]

Every finished (init, seed, data, budget, evaluation) run writes one JSON
record into ``--store`` (config hash, commit, machine, wall time, metrics,
and the label-free measures of ``rank_label_free.py`` on the network it
evaluated; ``densessl/evaluation/results_store.py``). A run whose record is already
stored is skipped, so the comparison grows over several calls: with
``--max-minutes`` the tool starts no new step once the budget is spent and
stops a running pretraining at the limit (its epoch checkpoints stay; the
next call resumes it). ``tools/benchmarks/summarize.py`` turns the store into
the markdown tables (mean +- std, n) and the bar chart. Checkpoints stay in
``--work-dir`` (WORK_DIR/DATA/METHOD/seed_S), outside git.

Fairness: every method's random row is built from *that method's* config
(DenseCL / MoCo-v2 use ``zero_init_last=False``, BYOL / PixPro / SlotCon
timm's default zero-init of the last BN), so each is compared with the
random network it starts from. ``--epochs`` shorter than a config's scales
every LR phase with it (warm-up and cosine converted to iterations; the EMA
schedule follows the run's length already). The seed sets the pretraining
randomness and the probe's; the random rows' seed sets their init.
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
    'mocov2': 'configs/mocov2/mocov2_resnet18_1xb32-coslr-6e_scenes.py',
    'densecl': 'configs/densecl/densecl_resnet18_1xb32-coslr-6e_scenes.py',
    'byol': 'configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'pixpro': 'configs/pixpro/pixpro_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'slotcon': 'configs/slotcon/slotcon_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'detcon_b': 'configs/detcon/detcon-b_resnet18_1xb32-lars-coslr-6e_scenes.py',
    'detcon_s': 'configs/detcon/detcon-s_resnet18_1xb32-lars-coslr-6e_scenes.py',
    # ViT-tiny/16 at the same budget (docs/vit.md)
    **{f'{m}_vit': f'configs/{d}/{f}_vit-tiny-p16_1xb32-adamw-coslr-6e_scenes.py'
       for m, d, f in (('mocov2', 'mocov2', 'mocov2'),
                       ('densecl', 'densecl', 'densecl'),
                       ('byol', 'byol', 'byol'), ('pixpro', 'pixpro', 'pixpro'),
                       ('slotcon', 'slotcon', 'slotcon'),
                       ('detcon_b', 'detcon', 'detcon-b'))},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(CONFIGS),
                        choices=list(CONFIGS))
    parser.add_argument('--epochs', type=int, default=6,
                        help='pretraining epochs (50 iterations of 32 each)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--max-minutes', type=float,
                        help='start nothing new after this many minutes and '
                        'stop a running pretraining there (resumed later)')
    parser.add_argument('--store', default='benchmarks/results',
                        help='results store (one JSON per finished run)')
    parser.add_argument('--bn-recalibrate', type=int, default=0,
                        help='re-estimate BN statistics on N train images '
                        'before evaluating (0: off)')
    parser.add_argument('--no-random', action='store_true',
                        help='skip the random-init rows')
    parser.add_argument('--work-dir', default='work_dirs/compare')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=200)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--data', default='procedural',
                        choices=['procedural', 'photos'],
                        help='pretrain and evaluate on these embedded scenes')
    parser.add_argument('--levels', type=int, nargs='+', default=None,
                        help="backbone levels (default: dense_eval's)")
    parser.add_argument('--probe-epochs', type=int, default=30)
    parser.add_argument('--knn-per-image', type=int, default=None,
                        help='memory-bank patches per train image')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--label-free-images', type=int, default=16,
                        help='held-out scenes on which each run\'s label-free '
                        'measures (rank_label_free.py) are kept in its '
                        'record (0: none)')
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
    """One random-init row per distinct backbone config among ``methods``:
    (row name, method whose config builds it). The name lists every known
    method with that init, whichever were asked for, so a random network
    keeps one name (and one stored record) across calls."""
    from mmengine.config import Config
    groups = {}
    for method in CONFIGS:
        backbone = Config.fromfile(osp.join(ROOT, CONFIGS[method])
                                   ).model.backbone.to_dict()
        groups.setdefault(json.dumps(backbone, sort_keys=True),
                          []).append(method)
    rows = []
    for members in groups.values():
        chosen = [m for m in methods if m in members]
        if chosen:
            rows.append((f'random ({"/".join(members)} init)', chosen[0]))
    return rows


def rename_random_records(store: str) -> int:
    """Give stored random-init records the row name of today's method list
    (a new method with the same init joins the name; the network and its
    numbers are unchanged). Returns how many were renamed."""
    import glob

    from densessl.evaluation.results_store import (random_members,
                                                   rewrite_record)
    names = [name for name, _ in random_rows(list(CONFIGS))]
    renamed = 0
    for path in glob.glob(osp.join(store, '**', 'random*.json'),
                          recursive=True):
        with open(path) as f:
            record = json.load(f)
        old = record['init']
        new = [n for n in names if n != old and
               set(random_members(old)) < set(random_members(n))]
        if not old.startswith('random (') or not new:
            continue
        rewrite_record(store, path, record, init=new[0])
        renamed += 1
    return renamed


def pretrain_config(method: str, seed: int, args):
    """The config a method pretrains with in this comparison."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[method]))
    shorten_schedule(cfg, args.epochs)
    cfg.randomness = dict(seed=seed)
    cfg.train_dataloader.dataset.source = args.data
    return cfg


def budget_of(cfg, args) -> dict:
    dataset = cfg.train_dataloader.dataset
    return dict(epochs=args.epochs, iters_per_epoch=iters_per_epoch(cfg),
                batch_size=cfg.train_dataloader.batch_size,
                images=dataset.num_images, crop=_crop_size(cfg),
                backbone=cfg.model.backbone.model_name)


def _crop_size(cfg):
    for stage in cfg.train_dataloader.dataset.pipeline:
        for view in stage.get('transforms', []):
            for step in (view if isinstance(view, list) else [view]):
                if 'RandomResizedCrop' in step.get('type', ''):
                    return step['size']
    return None


def pretrain(label: str, cfg, work_dir: str, final: str, device: str,
             deadline):
    """Train ``cfg`` into ``work_dir`` through ``tools/train.py`` (resumed
    when a previous call was stopped) and return its final checkpoint
    ``work_dir/final``, or None when ``deadline`` came first."""
    checkpoint = osp.join(work_dir, final)
    if osp.isfile(checkpoint):
        print(f'[{label}] reusing {checkpoint}', flush=True)
        return checkpoint
    os.makedirs(work_dir, exist_ok=True)
    config = osp.join(work_dir, 'config.py')
    cfg.dump(config)
    command = [sys.executable, osp.join(ROOT, 'tools/train.py'), config,
               '--work-dir', work_dir, '--device', device]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        command.append('--resume')
    print(f'[{label}] pretraining -> {work_dir}'
          f'{" (resumed)" if "--resume" in command else ""}', flush=True)
    timeout = None if deadline is None else max(1.0, deadline - time.time())
    with open(osp.join(work_dir, 'train_output.log'), 'w') as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
            print(f'[{label}] stopped at the time budget; its checkpoints '
                  'stay, the next call resumes it', flush=True)
            return None
    if proc.returncode != 0 or not osp.isfile(checkpoint):
        with open(osp.join(work_dir, 'train_output.log')) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'[{label}] pretraining failed '
                         f'(log: {work_dir}/train_output.log):\n{tail}')
    return checkpoint


def eval_settings(args, eval_defaults) -> dict:
    return dict(levels=list(args.levels or eval_defaults.levels),
                size=args.size, num_train=args.num_train,
                num_val=args.num_val, probe_epochs=args.probe_epochs,
                k=eval_defaults.k, temperature=eval_defaults.temperature,
                knn_per_image=args.knn_per_image,
                bn_recalibrate=args.bn_recalibrate)


def plan(args, eval_cfg):
    """Every run of the comparison: (init, method, seed, pretrained, cfg,
    budget, config hash, key)."""
    from densessl.evaluation.results_store import (config_fingerprint,
                                                   run_key, stable_hash)
    runs = []
    rows = [] if args.no_random else [
        (name, method, False) for name, method in random_rows(args.methods)]
    rows += [(method, method, True) for method in args.methods]
    for seed in args.seeds:
        for init, method, pretrained in rows:
            cfg = pretrain_config(method, seed, args)
            if pretrained:
                budget = budget_of(cfg, args)
                config_hash = config_fingerprint(cfg.to_dict())
            else:  # a random network does not depend on any budget
                budget = dict(epochs=0)
                config_hash = stable_hash(cfg.model.backbone.to_dict())[:16]
            key = run_key(init, seed, args.data, budget, eval_cfg,
                          config_hash)
            runs.append((init, method, seed, pretrained, cfg, budget,
                         config_hash, key))
    return runs


def main(argv=None):
    sys.path.insert(0, ROOT)
    sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
    from dense_eval import parse_args as eval_args
    from dense_eval import run_dense_eval
    from rank_label_free import label_free_measures

    from densessl.evaluation.results_store import (find_record, group_records,
                                                   load_records, make_record,
                                                   markdown_tables,
                                                   write_record)
    args = parse_args(argv)
    start = time.time()
    deadline = None if args.max_minutes is None else \
        start + args.max_minutes * 60
    eval_cfg = eval_settings(args, eval_args(['config']))
    from densessl.evaluation.results_store import apply_migrations
    moved = apply_migrations(args.store, osp.join(
        ROOT, 'benchmarks', 'fingerprint_migrations.json'))
    if moved:
        print(f'{moved} stored record(s) re-keyed to today\'s config '
              'fingerprints (benchmarks/fingerprint_migrations.json)',
              flush=True)
    renamed = rename_random_records(args.store)
    if renamed:
        print(f'{renamed} stored random-init record(s) renamed to the '
              'current method list', flush=True)
    runs = plan(args, eval_cfg)
    done = skipped = 0
    for init, method, seed, pretrained, cfg, budget, config_hash, key in runs:
        if find_record(args.store, key):
            skipped += 1
            continue
        if deadline is not None and time.time() >= deadline:
            print(f'Time budget of {args.max_minutes} min spent: '
                  f'{len(runs) - done - skipped} runs left; run the same '
                  'command again to continue.', flush=True)
            break
        began = time.time()
        checkpoint = None
        if pretrained:
            checkpoint = pretrain(
                f'{method} seed {seed}', cfg,
                osp.join(args.work_dir, args.data, method, f'seed_{seed}'),
                f'epoch_{args.epochs}.pth', args.device, deadline)
            if checkpoint is None:
                break
        pretrain_seconds = time.time() - began
        options = [osp.join(ROOT, CONFIGS[method]), '--scenes', args.data,
                   '--num-train', str(args.num_train), '--num-val',
                   str(args.num_val), '--size', str(args.size), '--epochs',
                   str(args.probe_epochs), '--device', args.device,
                   '--seed', str(seed), '--bn-recalibrate',
                   str(args.bn_recalibrate), '--levels',
                   *map(str, eval_cfg['levels'])]
        if args.knn_per_image:
            options += ['--knn-per-image', str(args.knn_per_image)]
        if checkpoint:
            options += ['--checkpoint', checkpoint]
        print(f'[{init} seed {seed}] evaluating', flush=True)
        result = run_dense_eval(eval_args(options))
        keep = ('mIoU', 'aAcc', 'per_class_iou')
        metrics = {m: {k: result[m][k] for k in keep}
                   for m in ('probe', 'knn')}
        label_free = None
        if args.label_free_images:
            label_free = dict(num_images=args.label_free_images,
                              **label_free_measures(method, seed, args.data,
                                                    checkpoint,
                                                    args.label_free_images))
        record = make_record(
            init, seed, args.data, budget, eval_cfg, config_hash, metrics,
            dict(pretrain=round(pretrain_seconds, 1),
                 eval=result['seconds']), args.device, ROOT,
            label_free=label_free)
        path = write_record(args.store, record)
        done += 1
        print(f'[{init} seed {seed}] probe mIoU {metrics["probe"]["mIoU"]:.2f}'
              f', kNN mIoU {metrics["knn"]["mIoU"]:.2f} -> {path}', flush=True)
    print(f'{done} runs finished now, {skipped} already stored.')
    tables = [t for t in group_records(load_records(args.store))
              if t['data'] == args.data]
    if tables:
        print('\n' + markdown_tables(tables))
    return done


if __name__ == '__main__':
    from densessl.utils.cli import run_tool
    run_tool(main)
