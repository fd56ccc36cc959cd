"""The 3D comparison behind ``point_eval.py --compare``: PointContrast /
Point-CMAE against their random networks off the shelf (one record per
run in the results store, resumable), and ``--finetune``: Point-CMAE
against scratch, fine-tuned on the embedded objects."""
import argparse
import json
import os
import os.path as osp
import sys
import time

from point_eval import FINETUNE, METHODS, ROOT, backbone_kind, run_point_eval


def _finetune(config, pretrained, work_dir, seed):
    """Fine-tune ``config`` (``point_transfer.py`` in a subprocess, so one
    run cannot leak into the next) and return its test accuracy; a finished
    run in ``work_dir`` is reused."""
    import subprocess
    metrics_file = osp.join(work_dir, 'transfer_metrics.json')
    if not osp.isfile(metrics_file):
        command = [sys.executable, osp.join(ROOT, 'tools', 'benchmarks',
                                            'point_transfer.py'), config,
                   '--work-dir', work_dir, '--device', 'cpu',
                   '--cfg-options', f'randomness.seed={seed}']
        if pretrained:
            command += ['--pretrained', pretrained]
        os.makedirs(work_dir, exist_ok=True)
        with open(osp.join(work_dir, 'output.log'), 'w') as log:
            code = subprocess.call(command, stdout=log,
                                   stderr=subprocess.STDOUT)
        if code != 0:
            raise SystemExit(f'fine-tuning failed (log: {work_dir}/'
                             'output.log)')
    with open(metrics_file) as f:
        return float(json.load(f)['cls/acc'])


def compare_finetune(args, pretrain):
    """Point-CMAE pretrained vs from scratch, fine-tuned on each object
    set of ``args.finetune``, seed by seed (the seed sets the pretraining,
    the fine-tuning and the scratch init)."""
    from mmengine.config import Config

    from densessl.evaluation.results_store import (config_fingerprint,
                                                   find_record, make_record,
                                                   run_key, stable_hash,
                                                   write_record)
    deadline = None if args.max_minutes is None else \
        time.time() + args.max_minutes * 60
    method = 'point_cmae'
    done = 0
    for seed in args.seeds:
        for variant in args.finetune:
            config = osp.join(ROOT, FINETUNE[variant])
            ft_cfg = Config.fromfile(config)
            # the recipe's fingerprint: a changed fine-tuning config makes
            # new records (and work dirs) instead of reusing the old ones
            recipe = config_fingerprint(ft_cfg.to_dict())
            eval_cfg = dict(protocol='finetune-cls', score='accuracy',
                            finetune_config=FINETUNE[variant],
                            epochs=ft_cfg.train_cfg.max_epochs,
                            recipe=recipe)
            for init, pretrained in ((f'random ({method} init)', False),
                                     (method, True)):
                cfg = Config.fromfile(osp.join(ROOT, METHODS[method]))
                cfg.randomness = dict(seed=seed)
                loop = cfg.train_cfg
                budget = (dict(epochs=loop.max_epochs,
                               batch_size=cfg.train_dataloader.batch_size)
                          if pretrained else dict(epochs=0))
                config_hash = (config_fingerprint(cfg.to_dict()) if pretrained
                               else stable_hash(ft_cfg.model.to_dict())[:16])
                data = f'objects-{variant}'
                key = run_key(init, seed, data, budget, eval_cfg,
                              config_hash)
                if find_record(args.store, key):
                    continue
                if deadline is not None and time.time() >= deadline:
                    print('Time budget spent; run the same command again to '
                          'continue.', flush=True)
                    return done
                began = time.time()
                backbone = None
                if pretrained:
                    work = osp.join(args.work_dir, method, f'seed_{seed}')
                    ckpt = pretrain(f'{method} seed {seed}', cfg, work,
                                    f'epoch_{loop.max_epochs}.pth',
                                    args.device, deadline)
                    if ckpt is None:
                        return done
                    backbone = osp.join(work, 'backbone.pth')
                    if not osp.isfile(backbone):
                        import subprocess
                        subprocess.run([sys.executable, osp.join(
                            ROOT, 'tools', 'extract_backbone.py'), ckpt,
                            backbone], check=True, capture_output=True)
                print(f'[{init} seed {seed}] fine-tuning on the {variant} '
                      'objects', flush=True)
                acc = _finetune(config, backbone, osp.join(
                    args.work_dir, 'finetune', f'{variant}-{recipe[:8]}',
                    _slug(init), f'seed_{seed}'), seed)
                metrics = dict(finetune=dict(score=acc, aAcc=acc))
                record = make_record(init, seed, data, budget, eval_cfg,
                                     config_hash, metrics, dict(
                                         finetune=round(time.time() - began,
                                                        1)), args.device,
                                     ROOT)
                print(f'[{init} seed {seed}] {variant} objects: accuracy '
                      f'{acc:.2f} -> {write_record(args.store, record)}',
                      flush=True)
                done += 1
    return done


def _slug(text):
    import re
    return re.sub(r'[^A-Za-z0-9]+', '-', text).strip('-').lower()


def compare(args):
    sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
    from compare_pretraining import pretrain
    from mmengine.config import Config

    from densessl.evaluation.results_store import (config_fingerprint,
                                                   find_record, group_records,
                                                   load_records, make_record,
                                                   markdown_tables, run_key,
                                                   stable_hash, write_record)
    from densessl.evaluation.results_store import apply_migrations
    apply_migrations(args.store, osp.join(ROOT, 'benchmarks',
                                          'fingerprint_migrations.json'))
    if args.finetune:
        return compare_finetune(args, pretrain)
    start = time.time()
    deadline = None if args.max_minutes is None else \
        start + args.max_minutes * 60
    rows = [] if args.no_random else [
        (f'random ({m} init)', m, False) for m in args.methods]
    rows += [(m, m, True) for m in args.methods]
    done = skipped = 0
    for seed in args.seeds:
        for init, method, pretrained in rows:
            cfg = Config.fromfile(osp.join(ROOT, METHODS[method]))
            cfg.randomness = dict(seed=seed)
            kind = backbone_kind(cfg)
            data = 'rooms' if kind == 'scenes' else f'objects-{args.objects}'
            eval_cfg = dict(
                protocol='msm-multilevel' if kind == 'scenes'
                else 'global-max-mean', sampling=args.sampling,
                levels=args.levels or 'all', epochs=args.epochs, k=args.k,
                temperature=args.temperature,
                num_train=(args.num_train or 60) if kind == 'scenes'
                else args.train_objects,
                num_val=(args.num_val or 20) if kind == 'scenes'
                else args.val_objects,
                points_per_scene=args.points_per_scene if kind == 'scenes'
                else None, score='mIoU' if kind == 'scenes' else 'accuracy')
            loop = cfg.train_cfg
            if pretrained:
                budget = {k: v for k, v in dict(
                    iters=loop.get('max_iters'), epochs=loop.get('max_epochs'),
                    batch_size=cfg.train_dataloader.batch_size).items()
                    if v is not None}
                config_hash = config_fingerprint(cfg.to_dict())
            else:
                budget = dict(epochs=0)
                config_hash = stable_hash(cfg.model.backbone.to_dict())[:16]
            key = run_key(init, seed, data, budget, eval_cfg, config_hash)
            if find_record(args.store, key):
                skipped += 1
                continue
            if deadline is not None and time.time() >= deadline:
                print(f'Time budget of {args.max_minutes} min spent; run the '
                      'same command again to continue.', flush=True)
                return done
            began = time.time()
            checkpoint = None
            if pretrained:
                final = (f'iter_{loop.max_iters}.pth' if loop.get('max_iters')
                         else f'epoch_{loop.max_epochs}.pth')
                checkpoint = pretrain(
                    f'{method} seed {seed}', cfg,
                    osp.join(args.work_dir, method, f'seed_{seed}'), final,
                    args.device, deadline)
                if checkpoint is None:
                    return done
            pretrain_seconds = time.time() - began
            eval_args = argparse.Namespace(**vars(args))
            eval_args.config = osp.join(ROOT, METHODS[method])
            eval_args.checkpoint, eval_args.seed = checkpoint, seed
            print(f'[{init} seed {seed}] evaluating', flush=True)
            result = run_point_eval(eval_args)
            score = 'mIoU' if kind == 'scenes' else 'aAcc'
            metrics = {m: dict(score=result[m][score], mIoU=result[m]['mIoU'],
                               aAcc=result[m]['aAcc'],
                               per_class_iou=result[m]['per_class_iou'])
                       for m in args.eval}
            record = make_record(init, seed, data, budget, eval_cfg,
                                 config_hash, metrics,
                                 dict(pretrain=round(pretrain_seconds, 1),
                                      eval=result['seconds']), args.device,
                                 ROOT)
            path = write_record(args.store, record)
            done += 1
            print(f'[{init} seed {seed}] ' + ', '.join(
                f'{m} {metrics[m]["score"]:.2f}' for m in metrics) +
                f' -> {path}', flush=True)
    print(f'{done} runs finished now, {skipped} already stored.')
    datas = {'rooms', f'objects-{args.objects}'}
    tables = [t for t in group_records(load_records(args.store))
              if t['data'] in datas]
    if tables:
        print('\n' + markdown_tables(tables))
    return done
