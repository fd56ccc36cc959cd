"""Key renames between published layouts and densessl's modules.

Each function maps one state dict to another and leaves values untouched
(except MinkowskiEngine kernels, whose offset order is permuted)."""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Tuple

import torch

StateDict = Dict[str, torch.Tensor]


def strip_prefix(state: Mapping[str, torch.Tensor], prefix: str) -> StateDict:
    """The entries under ``prefix``, with the prefix removed."""
    return OrderedDict((k[len(prefix):], v) for k, v in state.items()
                       if k.startswith(prefix))


# --- ResNet: torchvision names <-> detectron2 names -------------------------

def torchvision_to_detectron2(state: Mapping[str, torch.Tensor]) -> StateDict:
    """torchvision ResNet keys -> detectron2's ``ResNet`` (``stem``,
    ``res2..5``, ``convK.norm``, ``shortcut``); ``fc`` and BN's
    ``num_batches_tracked`` have no counterpart and are dropped."""
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith('fc.') or key.endswith('num_batches_tracked'):
            continue
        new = key if key.startswith('layer') else 'stem.' + key
        new = re.sub(r'^layer(\d)', lambda m: f'res{int(m.group(1)) + 1}',
                     new)
        new = re.sub(r'(^|\.)bn(\d)\.', r'\1conv\2.norm.', new)
        new = new.replace('downsample.0.', 'shortcut.').replace(
            'downsample.1.', 'shortcut.norm.')
        out[new] = value
    return out


def detectron2_to_torchvision(state: Mapping[str, torch.Tensor]) -> StateDict:
    """The inverse of :func:`torchvision_to_detectron2`."""
    out = OrderedDict()
    for key, value in state.items():
        new = re.sub(r'^res(\d)', lambda m: f'layer{int(m.group(1)) - 1}',
                     key)
        new = new[len('stem.'):] if new.startswith('stem.') else new
        new = new.replace('shortcut.norm.', 'downsample.1.').replace(
            'shortcut.', 'downsample.0.')
        new = re.sub(r'(^|\.)conv(\d)\.norm\.', r'\1bn\2.', new)
        out[new] = torch.as_tensor(value)
    return out


# --- Point-MAE encoder -> PointPatchTransformer ------------------------------

def point_mae_encoder(state: Mapping[str, torch.Tensor]) -> StateDict:
    """Point-MAE's ``MaskTransformer`` / fine-tuning ``PointTransformer``
    encoder keys (``encoder.*``, ``pos_embed``, ``blocks.blocks``, ``norm``)
    -> :class:`PointPatchTransformer` (``patch_embed.*``, same elsewhere)."""
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith('encoder.'):
            out['patch_embed.' + key[len('encoder.'):]] = value
        elif key.split('.')[0] in ('pos_embed', 'blocks', 'norm'):
            out[key] = value
    return out


#: (mask token, decoder position MLP, decoder, prediction head) per branch
POINT_MAE_DECODER = ('mask_token', 'decoder_pos_embed', 'MAE_decoder',
                     'increase_dim')
POINT_CMAE_DECODERS = (
    ('mask_token1', 'decoder_pos_embed1', 'MAE_decoder', 'increase_dim'),
    ('mask_token2', 'decoder_pos_embed2', 'MAE_decoder_', 'increase_dim_'))


def point_mae_decoder(state: Mapping[str, torch.Tensor],
                      names: Tuple[str, str, str, str] = POINT_MAE_DECODER
                      ) -> StateDict:
    """One Point-MAE decoder branch, named by ``names`` (see
    :data:`POINT_CMAE_DECODERS` for Point-CMAE's twins) ->
    :class:`MaskedPointDecoder` keys."""
    token, pos, decoder, head = names
    out = OrderedDict()
    if token in state:
        out['mask_token'] = state[token]
    for src, dst in ((pos + '.', 'pos_embed.'),
                     (decoder + '.blocks.', 'blocks.'),
                     (decoder + '.norm.', 'norm.'),
                     (head + '.0.', 'head.')):
        for key, value in strip_prefix(state, src).items():
            out[dst + key] = value
    return out


# --- MinkowskiEngine Res16UNet -> MinkUNet -----------------------------------

#: Res16UNet module names -> densessl MinkUNet names
RES16UNET_NAMES = (
    [('conv0p1s1', 'stem.conv'), ('bn0', 'stem.bn')] +
    [(f'conv{i + 1}p{2 ** i}s2', f'down.{i}.conv') for i in range(4)] +
    [(f'bn{i + 1}', f'down.{i}.bn') for i in range(4)] +
    [(f'block{i + 1}', f'enc.{i}') for i in range(4)] +
    [(f'convtr{4 + i}p{2 ** (4 - i)}s2', f'up.{i}.conv') for i in range(4)] +
    [(f'bntr{4 + i}', f'up.{i}.bn') for i in range(4)] +
    [(f'block{5 + i}', f'dec.{i}') for i in range(4)] +
    [('final', 'final')])


def minkowski_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """A MinkowskiEngine kernel (``K^3 x Cin x Cout`` with x fastest, or
    ``Cin x Cout`` for 1x1) as densessl's ``K^3 x Cin x Cout`` (x slowest).
    Swapping the x and z axes is its own inverse."""
    from densessl.models.sparse.minkowski_backend import minkowski_weight
    if kernel.dim() == 2:
        return kernel.unsqueeze(0)
    k = round(kernel.shape[0] ** (1 / 3))
    if k ** 3 != kernel.shape[0]:
        raise ValueError(f'kernel of {kernel.shape[0]} offsets is not a cube')
    return minkowski_weight(kernel, k)


def res16unet_to_minkunet(state: Mapping[str, torch.Tensor]) -> StateDict:
    """PointContrast's Res16UNet (``conv0p1s1.kernel``, ``bn0.bn.*``,
    ``block1.0.norm1.bn.*``, ``convtr4p16s2.kernel``, ``final.*``) ->
    :class:`MinkUNet` keys; BN's inner ``.bn`` and ``normK`` -> ``bnK``."""
    out = OrderedDict()
    for key, value in state.items():
        head, _, rest = key.partition('.')
        target = dict(RES16UNET_NAMES).get(head)
        if target is None:
            continue
        rest = re.sub(r'(^|\.)norm(\d)\.', r'\1bn\2.', rest)
        rest = rest.replace('bn.', '', 1) if rest.startswith('bn.') else \
            re.sub(r'\.bn\.', '.', rest)
        if rest.endswith('kernel'):
            rest, value = rest[:-len('kernel')] + 'weight', \
                minkowski_kernel(value)
        elif target == 'final' and rest == 'bias':
            value = value.reshape(-1)
        out[f'{target}.{rest}'] = value
    return out


# --- ResNet: haiku (DetCon / BYOL JAX releases) -> torchvision names ----------

_HAIKU_KEY = re.compile(
    r'^(?P<wrap>(?:.*/)?)[a-z_0-9]+/~/(?P<module>initial_conv|'
    r'initial_batchnorm|block_group_(?P<group>\d+)/~/block_(?P<block>\d+)/~/'
    r'(?P<layer>conv_\d|batchnorm_\d|shortcut_conv|shortcut_batchnorm))'
    r'(?:/~/(?P<ema>mean_ema|var_ema))?/(?P<leaf>w|scale|offset|average)$')
_HAIKU_BN_LEAF = {'scale': 'weight', 'offset': 'bias',
                  'mean_ema': 'running_mean', 'var_ema': 'running_var'}


def haiku_wrappers(state: Mapping[str, torch.Tensor]) -> Dict[str, list]:
    """The ResNet keys of a flattened haiku checkpoint, by wrapper prefix
    (e.g. ``online_params/`` and ``online_state/``, or ``''``)."""
    groups: Dict[str, list] = {}
    for key in state:
        match = _HAIKU_KEY.match(key)
        if match:
            groups.setdefault(match['wrap'], []).append(key)
    return groups


def haiku_resnet_to_torchvision(state: Mapping[str, torch.Tensor],
                                keys) -> StateDict:
    """haiku ``hk.nets.ResNet`` v1 parameters and BN state -> torchvision
    ResNet keys: ``initial_conv`` -> ``conv1``, ``block_group_g/~/block_b``
    -> ``layer{g+1}.{b}``, ``conv_i`` / ``batchnorm_i`` -> ``conv{i+1}`` /
    ``bn{i+1}``, ``shortcut_*`` -> ``downsample.0/1``; conv kernels HWIO ->
    OIHW, BN vectors (``1 x 1 x 1 x C``) flattened, EMA ``average`` ->
    running statistics (``num_batches_tracked`` set to 0)."""
    out = OrderedDict()
    for key in keys:
        m = _HAIKU_KEY.match(key)
        if m['module'] == 'initial_conv':
            base = 'conv1'
        elif m['module'] == 'initial_batchnorm':
            base = 'bn1'
        else:
            layer = m['layer']
            name = {'shortcut_conv': 'downsample.0',
                    'shortcut_batchnorm': 'downsample.1'}.get(layer)
            if name is None:
                kind, index = layer.split('_')
                name = ('conv' if kind == 'conv' else 'bn') + \
                    str(int(index) + 1)
            base = f'layer{int(m["group"]) + 1}.{m["block"]}.{name}'
        value = torch.as_tensor(state[key])
        if m['leaf'] == 'w':
            out[base + '.weight'] = value.permute(3, 2, 0, 1).contiguous()
            continue
        leaf = _HAIKU_BN_LEAF[m['ema'] or m['leaf']]
        out[f'{base}.{leaf}'] = value.reshape(-1).clone()
        out.setdefault(base + '.num_batches_tracked',
                       torch.zeros((), dtype=torch.long))
    return out
