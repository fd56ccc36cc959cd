"""Published checkpoint layouts densessl reads, each as a detector (do the
keys look like this format?) and an extractor (the backbone that transfers,
in a canonical naming).

Canonical namings (``Backbone.kind``):

* ``resnet``: torchvision ResNet keys (``conv1``, ``bn1``, ``layer1.0...``),
  which timm's ResNets share;
* ``timm``: the keys of a non-ResNet timm model (densessl checkpoints only);
* ``point-transformer``: :class:`PointPatchTransformer` keys;
* ``minkunet``: :class:`MinkUNet` keys.
"""
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import torch

from densessl.models.utils import BACKBONE_PREFIX
from .keymaps import (POINT_CMAE_DECODERS, POINT_MAE_DECODER,
                      RES16UNET_NAMES, haiku_resnet_to_torchvision,
                      haiku_wrappers, point_mae_decoder, point_mae_encoder,
                      res16unet_to_minkunet, strip_prefix)
from .vit import VIT_PREFIXES, release_to_timm_keys, to_timm, vit_prefix

StateDict = Dict[str, torch.Tensor]


@dataclass
class Backbone:
    kind: str
    state: StateDict
    branch: str
    #: extra densessl keys of the source's pretraining heads (3D decoders)
    heads: StateDict = field(default_factory=OrderedDict)
    #: source keys that went into ``state`` / ``heads``
    used: List[str] = field(default_factory=list)
    #: what the extractor checked the state against, and the config to use
    checked: str = ''
    hint: str = ''


def _is_resnet(state: Mapping) -> bool:
    return 'conv1.weight' in state and any(k.startswith('layer1.0.')
                                           for k in state)


def _prefixed(state: Mapping, prefixes: Tuple[str, ...]) -> Optional[str]:
    """The first of ``prefixes`` under which ``state`` has a ResNet."""
    for prefix in prefixes:
        if _is_resnet(strip_prefix(state, prefix)):
            return prefix
    return None


def _two_branch(online: Tuple[str, ...], teacher: Tuple[str, ...],
                default: str = 'online') -> Callable:
    """An extractor for ResNet checkpoints with an online and a momentum
    encoder under the given key prefixes."""

    def extract(state: Mapping, branch: str) -> Backbone:
        branch = default if branch == 'auto' else branch
        prefix = _prefixed(state, online if branch == 'online' else teacher)
        if prefix is None:
            raise ValueError(f'this checkpoint has no {branch} encoder '
                             f'(looked under {online + teacher})')
        part = strip_prefix(state, prefix)
        return Backbone('resnet', part, branch,
                        used=[prefix + k for k in part])

    return extract


def _online_only(state: Mapping, branch: str) -> Backbone:
    if branch == 'teacher':
        raise ValueError('this format holds one network; use --branch '
                         'online (or auto)')
    return Backbone('resnet', OrderedDict(state), 'online', used=list(state))


def _densessl(state: Mapping, branch: str) -> Backbone:
    branch = 'online' if branch == 'auto' else branch
    prefix = BACKBONE_PREFIX[branch]
    part = strip_prefix(state, prefix)
    if not part:
        raise ValueError(f'no "{prefix}*" keys: this densessl checkpoint has '
                         f'no {branch} backbone')
    used = [prefix + k for k in part]
    if 'timm_model.model.cls_token' in part:  # a ViT (timm's getter)
        return Backbone('vit', strip_prefix(part, 'timm_model.model.'),
                        branch, used=used)
    if any(k.startswith('timm_model.') for k in part):
        part = strip_prefix(part, 'timm_model.')
        return Backbone('resnet' if _is_resnet(part) else 'timm', part,
                        branch, used=used)
    kind = 'point-transformer' if 'patch_embed.first_conv.0.weight' in part \
        else 'minkunet'
    return Backbone(kind, part, branch, used=used)


def _point_mae(state: Mapping, branch: str) -> Backbone:
    if branch == 'teacher':
        raise ValueError('Point-MAE / Point-CMAE have no momentum encoder; '
                         'use --branch online (or auto)')
    encoder = strip_prefix(state, 'MAE_encoder.') or OrderedDict(state)
    backbone = point_mae_encoder(encoder)
    prefix = 'MAE_encoder.' if 'MAE_encoder.norm.weight' in state else ''
    used = [prefix + ('encoder.' + k[len('patch_embed.'):]
                      if k.startswith('patch_embed.') else k)
            for k in backbone]
    heads = OrderedDict()
    branches = POINT_CMAE_DECODERS if 'mask_token1' in state else \
        (POINT_MAE_DECODER, ) if 'mask_token' in state else ()
    for i, names in enumerate(branches):
        decoder = point_mae_decoder(state, names)
        heads.update((f'decoders.{i}.{k}', v) for k, v in decoder.items())
        used += [k for k in state if k == names[0] or
                 any(k.startswith(n + '.') for n in names[1:])]
    if 'MAE_encoder.cls_token1' in state:  # CMAE's per-branch cls tokens
        for name, dst in (('cls_token', 'cls_tokens'), ('cls_pos', 'cls_pos')):
            pair = [state[f'MAE_encoder.{name}{i}'] for i in (1, 2)]
            heads[dst] = torch.stack(pair)
            used += [f'MAE_encoder.{name}{i}' for i in (1, 2)]
    return Backbone('point-transformer', backbone, 'online', heads, used)


def _pointcontrast(state: Mapping, branch: str) -> Backbone:
    if branch == 'teacher':
        raise ValueError('PointContrast has no momentum encoder; use '
                         '--branch online (or auto)')
    backbone = res16unet_to_minkunet(state)
    names = {name for name, _ in RES16UNET_NAMES}
    used = [k for k in state if k.split('.')[0] in names]
    return Backbone('minkunet', backbone, 'online', used=used)


def _haiku(state: Mapping, branch: str) -> Backbone:
    """DetCon / BYOL JAX releases: wrappers naming ``target`` hold the
    momentum network, the others the online one."""
    branch = 'online' if branch == 'auto' else branch
    groups = haiku_wrappers(state)
    chosen = [w for w in groups if ('target' in w) == (branch == 'teacher')]
    if not chosen:
        raise ValueError(f'this checkpoint has no {branch} ResNet (haiku '
                         f'wrappers found: {sorted(groups) or ["(none)"]})')
    keys = [k for w in chosen for k in groups[w]]
    return Backbone('resnet', haiku_resnet_to_torchvision(state, keys),
                    branch, used=keys)


def _vit(state: Mapping, branch: str) -> Backbone:
    """DINO / iBOT (teacher and student), DINOv2, MAE, DINOv3 ViTs -> timm
    keys."""
    if branch == 'auto':
        branch = 'teacher' if vit_prefix(state, 'teacher') is not None \
            else 'online'
    prefix = vit_prefix(state, branch)
    if prefix is None:
        raise ValueError(f'this checkpoint has no {branch} ViT (looked '
                         f'under {VIT_PREFIXES[branch]})')
    release, used = release_to_timm_keys(state, prefix)
    timm_state, hint = to_timm(release)
    return Backbone('vit', timm_state, branch, used=used,
                    checked='loads strictly into timm\'s VisionTransformer '
                    '(after timm\'s checkpoint_filter_fn)', hint=hint)


@dataclass
class Format:
    name: str
    description: str
    detect: Callable[[Mapping], bool]
    extract: Callable[[Mapping, str], Backbone]


FORMATS: Dict[str, Format] = OrderedDict((f.name, f) for f in [
    Format('vit', 'official ViT releases: DINO (teacher.backbone.* / '
           'student.module.backbone.*, or the backbone-only file), iBOT '
           '(state_dict with backbone.*), DINOv2 (+ registers: mask_token, '
           'register_tokens), MAE (model with decoder_*), DINOv3 (storage_tokens, '
           'rope_embed.periods; to timm\'s Eva): cls_token, '
           'patch_embed.proj, blocks.N.*',
           lambda s: vit_prefix(s, 'teacher') is not None or
           vit_prefix(s, 'online') is not None, _vit),
    Format('densessl', 'a densessl training checkpoint or exported backbone '
           '(backbone.timm_model.*, backbone.patch_embed.*, backbone.stem.*)',
           lambda s: any(k.startswith(('backbone.timm_model.',
                                       'backbone.patch_embed.',
                                       'backbone.stem.conv.')) for k in s),
           _densessl),
    Format('openselfsup', 'OpenSelfSup / official DenseCL full checkpoint '
           '(encoder_q.0.*, encoder_k.0.*, queue, queue2)',
           lambda s: _prefixed(s, ('encoder_q.0.', )) is not None,
           _two_branch(('encoder_q.0.', 'backbone.'), ('encoder_k.0.', ))),
    Format('mmselfsup', 'MMSelfSup 1.x / MMPretrain full checkpoint '
           '(backbone.*, neck.*, encoder_k.module.* or target_net.module.*)',
           lambda s: _prefixed(s, ('backbone.', )) is not None,
           _two_branch(('backbone.', ), ('encoder_k.module.0.',
                                         'target_net.module.0.',
                                         BACKBONE_PREFIX['teacher']))),
    Format('slotcon', 'official SlotCon (encoder_q/_k, projector_q/_k, '
           'grouping_q/_k; transfers encoder_k)',
           lambda s: _prefixed(s, ('encoder_q.', )) is not None and
           any(k.startswith('grouping_') for k in s),
           _two_branch(('encoder_q.', ), ('encoder_k.', ), 'teacher')),
    Format('pixpro', 'official PixPro (encoder.*, encoder_k.*, projector*, '
           'value_transform.*)',
           lambda s: _prefixed(s, ('encoder.', )) is not None,
           _two_branch(('encoder.', ), ('encoder_k.', ))),
    Format('point-cmae', 'official Point-CMAE (MAE_encoder.* with '
           'cls_token1/2, mask_token1/2, MAE_decoder / MAE_decoder_)',
           lambda s: 'mask_token1' in s and 'MAE_encoder.norm.weight' in s,
           _point_mae),
    Format('point-mae', 'official Point-MAE pretraining (MAE_encoder.*, '
           'mask_token, MAE_decoder.*) or fine-tuned PointTransformer '
           '(encoder.*, blocks.blocks.*, cls_token)',
           lambda s: 'MAE_encoder.norm.weight' in s or (
               'encoder.first_conv.0.weight' in s and 'norm.weight' in s),
           _point_mae),
    Format('pointcontrast', 'PointContrast / FCGF MinkowskiEngine Res16UNet '
           '(conv0p1s1.kernel, block1.0.norm1.bn.*, convtr4p16s2.kernel, '
           'final.*)',
           lambda s: 'conv0p1s1.kernel' in s, _pointcontrast),
    Format('detcon', 'official DetCon / BYOL JAX release (.npy of haiku '
           'params and state: res_net50/~/initial_conv/w, .../block_group_0/'
           '~/block_0/~/conv_0/w, batchnorm_0/~/mean_ema/average; online, '
           'or target params with --branch teacher)',
           lambda s: bool(haiku_wrappers(s)), _haiku),
    Format('torchvision', 'a plain torchvision / timm ResNet state dict '
           '(the DenseCL release files: state_dict of conv1, layer1..4)',
           _is_resnet, _online_only),
])


def unwrap(ckpt) -> StateDict:
    """The parameter dict of a checkpoint file's content: under
    ``state_dict`` / ``model`` / ``base_model`` if there, without a DDP
    ``module.`` prefix."""
    state = ckpt
    for key in ('state_dict', 'model', 'base_model'):
        if isinstance(state, Mapping) and isinstance(state.get(key), Mapping):
            state = state[key]
            break
    if not isinstance(state, Mapping) or not state:
        raise ValueError('the checkpoint holds no parameter dict')
    nets = [k for k in ('teacher', 'student')
            if isinstance(state.get(k), Mapping)]
    if nets:  # DINO / DINOv2 training checkpoints: one dict per network
        state = OrderedDict((f'{k}.{name}', v) for k in nets
                            for name, v in state[k].items())
    tensors = OrderedDict((k, v) for k, v in state.items()
                          if isinstance(v, torch.Tensor))
    if tensors and all(k.startswith('module.') for k in tensors):
        tensors = strip_prefix(tensors, 'module.')
    return tensors


def formats_help() -> List[str]:
    return [f'{f.name}: {f.description}' for f in FORMATS.values()]


def detect_format(state: Mapping) -> str:
    for fmt in FORMATS.values():
        if fmt.detect(state):
            return fmt.name
    listing = '\n'.join('  ' + line for line in formats_help())
    raise ValueError(
        f'Unknown checkpoint layout; first keys: {list(state)[:8]}.\n'
        f'Supported formats (--from):\n{listing}')
