"""Convert a published checkpoint into densessl's backbone export or another
framework's layout, checking that every converted tensor lands somewhere.

    report = convert_checkpoint('densecl_r50_imagenet_200ep.pth', 'out.pth')
"""
import os
import pickle
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Dict, Tuple

from torch import nn

from .formats import FORMATS, Backbone, detect_format, unwrap
from .keymaps import torchvision_to_detectron2

TARGETS = ('densessl', 'timm', 'torchvision', 'mm-resnet', 'detectron2',
           'mmseg-vit')
RESNET_ONLY = ('torchvision', 'mm-resnet', 'detectron2')


@dataclass
class Report:
    source_format: str
    branch: str
    kind: str
    target: str
    num_tensors: int
    checked_against: str
    #: source tensors not converted, counted per top-level name
    not_converted: Dict[str, int] = field(default_factory=dict)
    model_hint: str = ''

    def summary(self) -> str:
        lines = [f'format {self.source_format}, {self.branch} branch, '
                 f'{self.kind} backbone -> {self.target}: '
                 f'{self.num_tensors} tensors',
                 f'checked: {self.checked_against}']
        if self.not_converted:
            rest = ', '.join(f'{k} ({n})' for k, n in
                             sorted(self.not_converted.items()))
            lines.append(f'not converted (pretraining heads, queues, '
                         f'momentum copies): {rest}')
        if self.model_hint:
            lines.append(f'use: {self.model_hint}')
        return '\n'.join(lines)


def _count(prefix_keys, pattern: str) -> int:
    found = {int(m.group(1)) for k in prefix_keys
             for m in [re.match(pattern, k)] if m}
    return max(found) + 1 if found else 0


def _resnet_reference(state) -> Tuple[nn.Module, str]:
    from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
    bottleneck = 'layer1.0.conv3.weight' in state
    counts = [_count(state, rf'layer{i}\.(\d+)\.') for i in range(1, 5)]
    width = state['layer1.0.conv1.weight'].shape[0] if bottleneck else 64
    model = ResNet(Bottleneck if bottleneck else BasicBlock, counts,
                   width_per_group=width)
    depth = sum(counts) * (3 if bottleneck else 2) + 2
    name = f'resnet{depth}' if width == 64 else f'wide_resnet{depth}_2'
    hint = (f"backbone=dict(type='TimmBackbone', model_name='{name}') / "
            f"torchvision.models.{name}()")
    return model, hint


def _point_reference(state) -> Tuple[nn.Module, str]:
    from densessl.models.backbones import PointPatchTransformer
    dim = state['norm.weight'].shape[0]
    depth = _count(state, r'blocks\.blocks\.(\d+)\.')
    # the head count is not stored in the weights; 1 head fits any width
    model = PointPatchTransformer(embed_dim=dim, depth=depth, num_heads=1,
                                  drop_path_rate=0.0)
    hint = (f"backbone=dict(type='PointPatchTransformer', embed_dim={dim}, "
            f"depth={depth}, num_heads=...)  (official: 6 heads at 384)")
    return model, hint


def _minkunet_reference(state) -> Tuple[nn.Module, str]:
    from densessl.models.backbones import MinkUNet
    from densessl.models.backbones.mink_unet import DEPTHS
    stem = state['stem.conv.weight']
    layers = tuple(_count(state, rf'{part}\.{i}\.(\d+)\.')
                   for part in ('enc', 'dec') for i in range(4))
    depth = {v: k for k, v in DEPTHS.items()}.get(layers)
    if depth is None:
        raise ValueError(f'a U-Net with blocks {layers} per stage is none of '
                         f'MinkUNet{sorted(DEPTHS)}')
    planes = tuple(state[f'{part}.{i}.0.conv1.weight'].shape[2]
                   for part in ('enc', 'dec') for i in range(4))
    kwargs = dict(in_channels=stem.shape[1], out_channels=state[
        'final.weight'].shape[2], depth=depth, planes=planes,
        stem_channels=stem.shape[2],
        stem_kernel_size=round(stem.shape[0] ** (1 / 3)))
    hint = 'backbone=dict(type=\'MinkUNet\', ' + ', '.join(
        f'{k}={v}' for k, v in kwargs.items()) + ')'
    return MinkUNet(**kwargs), hint


def _decoder_reference(heads, dim: int) -> nn.Module:
    from densessl.models.algorithms.point_cmae import MaskedPointDecoder
    modules = nn.ModuleDict()
    for i in sorted({k.split('.')[1] for k in heads
                     if k.startswith('decoders.')}):
        part = {k[len(f'decoders.{i}.'):]: v for k, v in heads.items()
                if k.startswith(f'decoders.{i}.')}
        depth = _count(part, r'blocks\.blocks\.(\d+)\.')
        group_size = part['head.weight'].shape[0] // 3
        modules[i] = MaskedPointDecoder(dim, depth, 1, group_size, 0.0)
    return modules


REFERENCES = {'resnet': _resnet_reference, 'minkunet': _minkunet_reference,
              'point-transformer': _point_reference}


def check_complete(module: nn.Module, state, what: str) -> None:
    """Load ``state`` into ``module`` and fail on any missing or unexpected
    key or shape mismatch (classifier ``fc`` aside)."""
    own = module.state_dict()
    missing = [k for k in own if k not in state and not k.startswith('fc.')]
    unexpected = [k for k in state if k not in own]
    wrong = [k for k in state if k in own and state[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        raise ValueError(
            f'the converted {what} does not match the reference module: '
            f'{len(missing)} missing (e.g. {missing[:3]}), {len(unexpected)} '
            f'unexpected (e.g. {unexpected[:3]}), {len(wrong)} of wrong '
            f'shape (e.g. {wrong[:3]})')
    module.load_state_dict(state, strict=False)


def convert_state(state, source_format: str = 'auto', branch: str = 'auto'
                  ) -> Tuple[str, Backbone, str, str]:
    """(format, backbone, what it was checked against, model hint)."""
    fmt = detect_format(state) if source_format == 'auto' else source_format
    if fmt not in FORMATS:
        raise ValueError(f'unknown format "{fmt}"; choose from '
                         f'{list(FORMATS)} or auto')
    backbone = FORMATS[fmt].extract(state, branch)
    if backbone.kind == 'vit':
        return fmt, backbone, backbone.checked or 'not checked (a densessl ' \
            'ViT export)', backbone.hint
    if backbone.kind == 'resnet':  # a classifier is not what transfers
        fc = {k for k in backbone.state if k.startswith('fc.')}
        backbone.state = OrderedDict((k, v) for k, v in backbone.state.items()
                                     if k not in fc)
        # used keys carry the source prefix (e.g. encoder_q.0.fc.weight)
        backbone.used = [k for k in backbone.used if not any(
            k == f or k.endswith('.' + f) for f in fc)]
    if backbone.kind not in REFERENCES:
        return fmt, backbone, 'not checked (non-ResNet timm model)', ''
    module, hint = REFERENCES[backbone.kind](backbone.state)
    check_complete(module, backbone.state, f'{backbone.kind} backbone')
    checked = f'loads completely into {type(module).__name__}'
    if backbone.heads:
        dim = backbone.state['norm.weight'].shape[0]
        decoders = {k[len('decoders.'):]: v for k, v in backbone.heads.items()
                    if k.startswith('decoders.')}
        check_complete(_decoder_reference(backbone.heads, dim), decoders,
                       'decoders')
        checked += f' (+ {len({k.split(".")[1] for k in decoders})} ' \
            'MaskedPointDecoder)'
    return fmt, backbone, checked, hint


def _vit_target(state, target: str, img_size=None) -> 'OrderedDict':
    import torch

    from .vit import resample_positions, timm_to_mmseg_vit
    state = OrderedDict(state)
    if img_size:
        state = resample_positions(state, img_size)
    if target == 'densessl':
        return OrderedDict(('backbone.timm_model.model.' + k, v)
                           for k, v in state.items())
    if 'norm.weight' not in state:
        # trained without final_norm: the final LayerNorm was pruned (never
        # used); a complete model gets the identity-at-init one
        dim = state['cls_token'].shape[-1]
        state['norm.weight'], state['norm.bias'] = torch.ones(dim), \
            torch.zeros(dim)
    if target == 'timm':
        return state
    if target == 'mmseg-vit':
        return timm_to_mmseg_vit(state)
    raise ValueError(f'a ViT converts --to densessl, timm or mmseg-vit, '
                     f'not {target}')


def target_state(backbone: Backbone, target: str,
                 img_size=None) -> 'OrderedDict':
    from densessl.utils.export import to_layout
    if target not in TARGETS:
        raise ValueError(f'unknown target "{target}"; choose from {TARGETS}')
    if backbone.kind == 'vit':
        return _vit_target(backbone.state, target, img_size)
    if img_size:
        raise ValueError('--img-size resamples ViT position embeddings; '
                         f'this is a {backbone.kind} backbone')
    if target == 'mmseg-vit':
        raise ValueError('--to mmseg-vit needs a ViT backbone')
    if target in RESNET_ONLY and backbone.kind != 'resnet':
        raise ValueError(f'--to {target} needs a ResNet backbone; this is a '
                         f'{backbone.kind}: use --to densessl')
    if backbone.kind not in ('resnet', 'timm'):
        if target != 'densessl':
            raise ValueError(f'a {backbone.kind} backbone converts only '
                             '--to densessl')
        out = OrderedDict(('backbone.' + k, v)
                          for k, v in backbone.state.items())
        out.update(backbone.heads)
        return out
    if target == 'detectron2':
        return torchvision_to_detectron2(backbone.state)
    inner = OrderedDict(('timm_model.' + k, v)
                        for k, v in backbone.state.items())
    return to_layout(inner, 'mm' if target == 'densessl' else target)


def write_detectron2(state, path: str) -> None:
    """detectron2's pickle: numpy arrays under ``model`` and
    ``matching_heuristics`` so torchvision-style names are matched."""
    from densessl.utils.io import atomic_write_bytes
    data = {'model': {k: v.detach().cpu().numpy() for k, v in state.items()},
            '__author__': 'densessl', 'matching_heuristics': True}
    atomic_write_bytes(pickle.dumps(data), os.fspath(path))


def convert_checkpoint(src: str, dst: str, source_format: str = 'auto',
                       target: str = 'densessl', branch: str = 'auto',
                       trust_checkpoint: bool = False,
                       img_size=None) -> Report:
    from densessl.utils.export import load_checkpoint_file, save_tensors_only
    state = unwrap(load_checkpoint_file(src, trust_checkpoint))
    fmt, backbone, checked, hint = convert_state(state, source_format, branch)
    out = target_state(backbone, target, img_size)
    if img_size and hint:
        hint = re.sub(r'img_size=\d+', f'img_size={img_size}', hint)
    if target == 'detectron2':
        write_detectron2(out, dst)
    else:
        save_tensors_only(out, dst, dict(source=os.path.abspath(src),
                                         source_format=fmt, layout=target,
                                         branch=backbone.branch))
    used = set(backbone.used)
    rest = Counter(k.split('.')[0].split('/')[0] for k in state
                   if k not in used)
    return Report(fmt, backbone.branch, backbone.kind, target, len(out),
                  checked, dict(rest), hint)
