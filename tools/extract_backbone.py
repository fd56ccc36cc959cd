"""Export the pretrained (online) backbone of a densessl checkpoint as a
tensors-only file.

    python tools/extract_backbone.py work_dirs/x/epoch_200.pth out.pth \
        [--layout mm|timm|torchvision|mm-resnet]

``mm`` (default) loads in densessl / mmseg / mmdet configs with
``init_cfg=dict(type='Pretrained', checkpoint='out.pth', prefix='backbone.')``;
``timm`` loads into ``timm.create_model(name)`` with ``strict=False``;
``torchvision`` (ResNets) loads into ``torchvision.models.resnetXX()`` with
``strict=False``; ``mm-resnet`` loads into mmseg / mmdet's own ``ResNet``
backbone with ``prefix='backbone.'``.
"""
import argparse
import os.path as osp
import sys


# algorithms whose momentum teacher is the backbone that transfers
def algorithm_type(ckpt) -> str:
    """The model type recorded in a densessl checkpoint's config."""
    cfg_text = (ckpt.get('meta') or {}).get('cfg')
    if not cfg_text:
        return ''
    from mmengine.config import Config
    try:
        cfg = Config.fromstring(cfg_text, file_format='.py')
    except Exception:  # a config that no longer parses: fall back
        return ''
    return str(cfg.get('model', {}).get('type', '')).split('.')[-1]


def transfer_branch(model_type: str) -> str:
    """The branch whose backbone transfers (the algorithm's
    ``transfer_branch``: SlotCon's teacher, the online one otherwise)."""
    from densessl.registry import MODELS
    from densessl.setup_env import register_all_modules
    register_all_modules(init_default_scope=False)
    cls = MODELS.get(model_type) if model_type else None
    return getattr(cls, 'transfer_branch', 'online')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='densessl training checkpoint')
    parser.add_argument('output', help='where to write the backbone')
    parser.add_argument('--layout', default='mm',
                        choices=['mm', 'timm', 'torchvision', 'mm-resnet'])
    parser.add_argument(
        '--branch', default='auto', choices=['auto', 'online', 'teacher'],
        help='which backbone: the online one (DenseCL, MoCo, PixPro, BYOL) '
        'or the momentum teacher (SlotCon transfers the teacher); auto '
        'picks by the algorithm recorded in the checkpoint')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='load with weights_only=False: only for a checkpoint you trust '
        'that was not written by densessl (e.g. plain MMEngine)')
    return parser.parse_args(argv)


def main(argv=None):
    from densessl.models.utils import BACKBONE_PREFIX
    from densessl.utils.export import (backbone_state_dict,
                                       load_checkpoint_file,
                                       save_tensors_only, to_layout)
    args = parse_args(argv)
    try:
        ckpt = load_checkpoint_file(args.checkpoint, args.trust_checkpoint)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(str(err))
    state = ckpt.get('state_dict', ckpt)
    branch = args.branch
    if branch == 'auto':
        branch = transfer_branch(algorithm_type(ckpt))
    prefix = BACKBONE_PREFIX[branch]
    backbone = backbone_state_dict(state, prefix)
    out = to_layout(backbone, args.layout)
    meta = dict(source=osp.abspath(args.checkpoint), layout=args.layout,
                branch=branch)
    if isinstance(ckpt.get('meta'), dict):
        for key in ('epoch', 'iter', 'experiment_name'):
            if key in ckpt['meta']:
                meta[key] = ckpt['meta'][key]
    save_tensors_only(out, args.output, meta)
    print(f'Wrote {len(out)} tensors ({args.layout} layout) to '
          f'{args.output}')


if __name__ == '__main__':
    sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
    from densessl.utils.cli import run_tool
    run_tool(main)
