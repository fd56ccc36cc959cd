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
