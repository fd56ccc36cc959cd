"""Fine-tune a pretrained densessl backbone with mmsegmentation or
mmdetection and report the metrics; ``tools/benchmarks/{seg,det}_transfer.py``
call :func:`run_transfer`."""
import os.path as osp
from typing import Dict, Optional, Sequence

# task -> the package it needs (3D tasks run on densessl alone)
TASKS = {'seg': 'mmseg', 'det': 'mmdet', 'seg3d': None, 'cls3d': None,
         'partseg3d': None}


def check_pretrained(path: str) -> str:
    """The prefix under which ``path`` keeps backbone weights; clear errors for
    a missing file, a training checkpoint, or a file without a backbone."""
    from densessl.utils.export import load_checkpoint_file
    try:
        ckpt = load_checkpoint_file(path)
    except ValueError as err:
        raise ValueError(f'{err}\nExport the backbone first: '
                         'python tools/extract_backbone.py CKPT OUT') from None
    state = ckpt.get('state_dict', ckpt)
    if any(k.startswith('momentum_encoder.') or k.startswith('neck.')
           for k in state):
        raise ValueError(
            f'"{path}" is a full training checkpoint; export its backbone '
            'first: python tools/extract_backbone.py CKPT OUT (layout mm for '
            'densessl.TimmBackbone, mm-resnet for mmseg / mmdet ResNet)')
    if not any(k.startswith('backbone.') for k in state):
        raise ValueError(f'"{path}" has no "backbone.*" keys; export with '
                         'tools/extract_backbone.py --layout mm')
    return 'backbone.'


def prepare_config(cfg, task: str, pretrained: Optional[str] = None,
                   work_dir: Optional[str] = None,
                   max_iters: Optional[int] = None):
    """Point the backbone at ``pretrained``, write the embedded scenes when the
    config asks for them (``scene_splits``), set the work dir and, optionally,
    a shorter schedule. Returns the config (modified in place)."""
    from densessl.utils.optional import require
    if task not in TASKS:
        raise ValueError(f'task must be one of {sorted(TASKS)}, got "{task}"')
    if TASKS[task]:
        require(TASKS[task], f'{task} transfer')
    if pretrained:
        prefix = check_pretrained(pretrained)
        cfg.model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=osp.abspath(pretrained),
            prefix=prefix)
    splits = cfg.get('scene_splits')
    if splits:
        from densessl.datasets.scene_writer import ensure_scene_splits
        ensure_scene_splits(splits['root'], splits['num_train'],
                            splits['num_val'], tuple(splits['size']))
    if work_dir:
        cfg.work_dir = work_dir
    if max_iters:
        if 'max_epochs' in cfg.train_cfg:
            raise ValueError(
                'this config trains by epochs; shorten it with --cfg-options '
                'train_cfg.max_epochs=N instead of --max-iters')
        scale = max_iters / cfg.train_cfg.get('max_iters', max_iters)
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters
        for scheduler in cfg.get('param_scheduler') or []:
            # every phase keeps its share of the run (a warm-up longer
            # than the shortened run would otherwise start after its end)
            begin = round(scheduler.get('begin', 0) * scale)
            scheduler['begin'] = begin
            if 'end' in scheduler:
                scheduler['end'] = max(round(scheduler['end'] * scale),
                                       begin + 1)
            if 'milestones' in scheduler:
                scheduler['milestones'] = [
                    int(m * scale) for m in scheduler['milestones']]
        cfg.default_hooks.checkpoint.interval = max_iters
    return cfg


def retarget(value, old: str, new: str):
    """Replace the prefix ``old`` by ``new`` in every string of a nested
    config."""
    if isinstance(value, str):
        return new + value[len(old):] if value.startswith(old) else value
    if isinstance(value, dict):
        return {k: retarget(v, old, new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(retarget(v, old, new) for v in value)
    return value


def register_task(task: str) -> None:
    """Register mmseg's / mmdet's (or densessl's) modules and make its scope
    the default."""
    if TASKS[task] is None:
        from densessl.setup_env import register_all_modules
        register_all_modules(init_default_scope=True)
        return
    if task == 'seg':
        from mmseg.utils import register_all_modules
    else:
        from mmdet.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    import densessl.models  # noqa: F401  (densessl.TimmBackbone)


def run_transfer(config: str, task: str, pretrained: Optional[str] = None,
                 work_dir: Optional[str] = None,
                 max_iters: Optional[int] = None,
                 cfg_options: Optional[dict] = None,
                 device: Optional[str] = None) -> Dict[str, float]:
    """Train and test a downstream model; returns the test metrics (also
    written to ``WORK_DIR/transfer_metrics.json``)."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from densessl.engine import use_safe_checkpoints
    cfg = Config.fromfile(config)
    original_root = (cfg.get('scene_splits') or {}).get('root')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    new_root = (cfg.get('scene_splits') or {}).get('root')
    if original_root and new_root != original_root:
        # scene_splits.root=DIR moves every path derived from it
        cfg = Config(retarget(cfg.to_dict(), original_root, new_root))
    if not (work_dir or cfg.get('work_dir')):
        work_dir = osp.join('work_dirs', 'transfer',
                            osp.splitext(osp.basename(config))[0])
    prepare_config(cfg, task, pretrained, work_dir, max_iters)
    register_task(task)
    if TASKS[task] is None:
        check_class_count(cfg)
    # an mmseg / mmdet config names MMEngine's hook; the dumped config
    # in the work dir shows the swap
    use_safe_checkpoints(cfg)
    if device == 'cpu':
        import os
        os.environ.setdefault('CUDA_VISIBLE_DEVICES', '')
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    import json
    with open(osp.join(runner.work_dir, 'transfer_metrics.json'), 'w') as f:
        json.dump(dict(metrics, pretrained=pretrained or 'random init'), f,
                  indent=1, default=float)
    return metrics


def check_class_count(cfg) -> None:
    """A 3D model's ``num_classes`` must equal the class count of its
    training data (read from the data set's class names): too few classes
    fails mid-run, too many trains a head with dead outputs, silently."""
    from densessl.registry import DATASETS
    wanted = cfg.model.get('num_classes')
    if wanted is None:
        return
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    classes = (dataset.metainfo or {}).get('classes')
    if classes and len(classes) != wanted:
        raise ValueError(
            f'the training data has {len(classes)} classes '
            f'({", ".join(map(str, classes[:6]))}'
            f'{", ..." if len(classes) > 6 else ""}) but model.num_classes '
            f'is {wanted}; set --cfg-options model.num_classes='
            f'{len(classes)}')


def format_metrics(metrics: Dict[str, float],
                   keys: Sequence[str] = ()) -> str:
    chosen = {k: v for k, v in metrics.items()
              if not keys or any(key in k for key in keys)}
    return '  '.join(f'{k}: {v:.4g}' if isinstance(v, float) else f'{k}: {v}'
                     for k, v in chosen.items())
