"""Pretrain a densessl model: ``python tools/train.py CONFIG [options]``."""
import argparse
import difflib
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

# top-level keys MMEngine's Runner reads. Configs may define helper variables
# of any other name (e.g. `view_pipeline`), but a near-miss of a runner key is
# almost surely a typo that Runner.from_cfg would silently ignore.
RUNNER_KEYS = {
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name', 'cfg',
    'runner_type', 'model_wrapper_cfg', 'find_unused_parameters', 'sync_bn',
    'vis_backends', 'custom_imports', 'strategy', 'compile'
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Pretrain a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir',
                        help='where logs and checkpoints go (default: '
                        'work_dirs/<config name>)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from a checkpoint path, or from the latest checkpoint '
        'in the work dir when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision training: bfloat16 autocast on '
                        'CPU, float16 with dynamic loss scaling on GPU')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale lr by total batch / base_batch_size')
    parser.add_argument('--device', default=None,
                        help='cpu or cuda (default: cuda when available)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.batch_size=16 model.ema_decay=0.99')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def check_top_level_keys(cfg: Config) -> None:
    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        close = difflib.get_close_matches(key, RUNNER_KEYS, n=1, cutoff=0.8)
        if close:
            raise KeyError(
                f'Unknown top-level config key "{key}": did you mean '
                f'"{close[0]}"? MMEngine would silently ignore "{key}".')


def setup_cfg(args) -> Config:
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'Config file "{args.config}" not found.')
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    check_top_level_keys(cfg)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        import torch
        on_gpu = torch.cuda.is_available() if args.device is None else \
            args.device.startswith('cuda')
        if on_gpu:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:  # MMEngine's AmpOptimWrapper refuses to start without a GPU
            cfg.optim_wrapper.type = 'AutocastOptimWrapper'
            cfg.optim_wrapper.setdefault('dtype', 'bfloat16')
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', dict(base_batch_size=256))
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f'--resume: "{args.resume}" not found.')
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def setup_device(cfg: Config, device) -> None:
    """CPU runs (and CPU DDP with gloo) need no code change in configs."""
    import torch
    use_cuda = torch.cuda.is_available() if device is None \
        else device.startswith('cuda')
    if not use_cuda:
        os.environ.setdefault('CUDA_VISIBLE_DEVICES', '')
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
        if cfg.launcher != 'none':
            # MMEngine passes device_ids=[LOCAL_RANK], invalid for CPU DDP
            wrapper = cfg.get('model_wrapper_cfg') or dict(
                type='MMDistributedDataParallel', broadcast_buffers=False)
            wrapper['device_ids'] = None
            cfg.model_wrapper_cfg = wrapper
            import torch.distributed as dist
            if not dist.is_initialized():
                # MMEngine's launcher calls torch.cuda.set_device
                dist.init_process_group(backend='gloo')


def announce_resume(cfg: Config) -> None:
    """``--resume`` with nothing to resume says so (MMEngine would log
    "resumed from None" and start from scratch); stale temporaries of
    interrupted writes are removed (and named)."""
    from densessl.utils.io import remove_stale_temporaries
    work_dir = cfg.work_dir
    for path in remove_stale_temporaries(work_dir):
        print(f'removed {path}, left by an interrupted write', flush=True)
    if cfg.get('resume') and cfg.get('load_from') is None and \
            not osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        print(f'warning: --resume: nothing to resume in {work_dir} (no '
              'last_checkpoint); training starts from scratch', flush=True)


def check_batch_fits_queue(cfg: Config) -> None:
    """A queue must take whole global batches (MoCo-v2, DenseCL); say so
    before the runner starts rather than at the first step."""
    queue = cfg.model.get('queue_len')
    batch = (cfg.get('train_dataloader') or {}).get('batch_size')
    if queue and batch and queue % batch:
        raise ValueError(
            f'model.queue_len {queue} is not a multiple of the batch size '
            f'{batch} (the queue takes whole global batches); change '
            '`model.queue_len` or `train_dataloader.batch_size`.')


def warn_unsafe_checkpoints(cfg: Config) -> None:
    """A config whose checkpoint hook is MMEngine's plain one trains, but
    its checkpoints will not resume under torch >= 2.6: say so up front."""
    from densessl.engine import is_plain_checkpoint_hook
    if is_plain_checkpoint_hook(
            (cfg.get('default_hooks') or {}).get('checkpoint')):
        print('warning: default_hooks.checkpoint is MMEngine\'s '
              'CheckpointHook; its checkpoints need weights_only=False to '
              'resume under torch >= 2.6 and are not written atomically. Use '
              "type='SafeCheckpointHook' (as configs/_base_/"
              'default_runtime.py does).', flush=True)


def main(argv=None):
    args = parse_args(argv)
    cfg = setup_cfg(args)
    setup_device(cfg, args.device)

    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    from densessl.setup_env import register_all_modules
    from densessl.utils.config_check import (check_dataset_config,
                                             check_model_config)
    from densessl.utils.export import check_checkpoint_file

    register_all_modules(init_default_scope=False)
    # validate before the runner prints its environment and config
    check_model_config(cfg.model)
    if cfg.get('default_scope', 'densessl') == 'densessl':
        check_dataset_config(
            (cfg.get('train_dataloader') or {}).get('dataset'))
    check_batch_fits_queue(cfg)
    if cfg.get('load_from') and '://' not in str(cfg.load_from):
        check_checkpoint_file(cfg.load_from)
    announce_resume(cfg)
    warn_unsafe_checkpoints(cfg)
    if 'runner_type' in cfg:
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
