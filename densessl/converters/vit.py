"""Vision Transformers in and out: the official DINO / iBOT / DINOv2 / MAE
releases to timm's ``VisionTransformer`` keys (through timm's own
``checkpoint_filter_fn``: DINOv2's ``w12`` / registers / class-token
position, patch-embedding reshapes), the official DINOv3 releases to timm's
``Eva`` (RoPE, storage tokens; through ``timm.models.eva``'s filter), and
timm keys to mmsegmentation's ``VisionTransformer``."""
import contextlib
import io
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Tuple

import torch

StateDict = Dict[str, torch.Tensor]

#: where a ViT sits in each release, by branch ('teacher' first: DINO and
#: iBOT evaluate the teacher)
VIT_PREFIXES = {
    'teacher': ('teacher.backbone.', 'teacher.module.backbone.'),
    'online': ('student.module.backbone.', 'student.backbone.',
               'module.backbone.', 'backbone.', ''),
}
#: embed dim -> (timm size name, heads)
_SIZES = {192: ('tiny', 3), 384: ('small', 6), 768: ('base', 12),
          1024: ('large', 16), 1280: ('huge', 16), 1536: ('giant', 24)}
#: pretraining-only entries of the releases
_DROPPED = ('head.', 'decoder_', 'masked_embed', 'fc_norm.')


def vit_prefix(state: Mapping, branch: str) -> Optional[str]:
    """The prefix under which ``state`` holds a ViT for ``branch``."""
    for prefix in VIT_PREFIXES[branch]:
        if prefix + 'cls_token' in state and \
                prefix + 'patch_embed.proj.weight' in state:
            return prefix
    return None


def release_to_timm_keys(state: Mapping, prefix: str
                         ) -> Tuple[StateDict, List[str]]:
    """The ViT under ``prefix`` with the release's own names (DINOv2
    ``register_tokens`` / ``w12`` kept for timm's filter), pretraining-only
    entries dropped; and the source keys used."""
    out, used = OrderedDict(), []
    is_mae = prefix + 'decoder_embed.weight' in state
    for key, value in state.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        if name.startswith(_DROPPED) or (is_mae and name == 'mask_token'):
            continue
        if prefix == '' and name.startswith(('teacher.', 'student.',
                                             'module.', 'backbone.')):
            continue
        out[name] = value
        used.append(key)
    return out, used


def is_dinov3(state: Mapping) -> bool:
    """DINOv3's releases: storage (register) tokens and RoPE periods, no
    absolute position embedding."""
    return 'storage_tokens' in state or 'rope_embed.periods' in state


def _depth(state: Mapping) -> int:
    return 1 + max(int(m.group(1)) for k in state
                   for m in [re.match(r'blocks\.(\d+)\.', k)] if m)


def dinov3_architecture(state: Mapping[str, torch.Tensor]) -> dict:
    """The timm ``Eva`` DINOv3 model that holds a DINOv3 release: size by
    width (``_plus`` when the MLP is SwiGLU), ``_qkvb`` when the query /
    value biases are not all zero (timm's plain variants have none, as the
    distilled releases' biases are zero)."""
    dim = state['cls_token'].shape[-1]
    sizes = {384: 'small', 768: 'base', 1024: 'large', 1280: 'huge'}
    if dim not in sizes:
        raise ValueError(f'a DINOv3 ViT of width {dim} has no timm model '
                         f'here (widths {sorted(sizes)})')
    size = sizes[dim] + ('_plus' if 'blocks.0.mlp.w1.weight' in state
                         else '')
    patch = state['patch_embed.proj.weight'].shape[-1]
    bias = state.get('blocks.0.attn.qkv.bias')
    qkvb = bias is not None and bool(
        torch.cat([bias[:dim], bias[2 * dim:]]).abs().sum() > 0)
    name = f'vit_{size}_patch{patch}_dinov3' + ('_qkvb' if qkvb else '')
    return dict(name=name, kwargs=dict(depth=_depth(state)), dinov3=True)


def vit_architecture(state: Mapping[str, torch.Tensor]) -> dict:
    """timm model name and arguments that hold ``state`` (release names),
    at the checkpoint's own grid."""
    if is_dinov3(state):
        return dinov3_architecture(state)
    dim = state['cls_token'].shape[-1]
    if dim not in _SIZES:
        raise ValueError(f'a ViT of width {dim} is not one of timm\'s '
                         f'sizes {sorted(_SIZES)}')
    size, heads = _SIZES[dim]
    patch = state['patch_embed.proj.weight'].shape[-1]
    depth = _depth(state)
    registers = state.get('register_tokens', state.get('reg_token'))
    dinov2 = 'mask_token' in state
    tokens = state['pos_embed'].shape[1]
    # DINOv2 releases keep the class token's position; timm's reg models
    # do not (no_embed_class)
    grid = int(round((tokens - (1 if dinov2 or registers is None else 0))
                     ** 0.5))
    if dinov2:
        name = f'vit_{size}_patch14_' + (
            f'reg{registers.shape[1]}_dinov2' if registers is not None
            else 'dinov2')
    else:
        name = f'vit_{size}_patch{patch}_224'
    kwargs = dict(img_size=grid * patch, patch_size=patch, depth=depth,
                  num_heads=heads, embed_dim=dim)
    if not dinov2 and 'blocks.0.ls1.gamma' in state:
        kwargs['init_values'] = 1e-5
    return dict(name=name, kwargs=kwargs)


def build_reference(arch: dict, img_size: Optional[int] = None):
    import timm
    kwargs = dict(arch['kwargs'])
    if img_size and not arch.get('dinov3'):
        kwargs['img_size'] = img_size
    return timm.create_model(arch['name'], pretrained=False, num_classes=0,
                             **kwargs)


def to_timm(state: Mapping[str, torch.Tensor],
            img_size: Optional[int] = None) -> Tuple[StateDict, str]:
    """Release names -> timm keys of a complete ``VisionTransformer``
    (position embedding resampled to ``img_size`` when given), checked by
    a strict load. Returns the state and a ``TimmBackbone`` hint."""
    arch = vit_architecture(state)
    if arch.get('dinov3'):
        from timm.models.eva import checkpoint_filter_fn
    else:
        from timm.models.vision_transformer import checkpoint_filter_fn
    model = build_reference(arch, img_size)
    # timm's Eva filter prints a line per block while it probes for the
    # query / value bias of the plain variants; the strict load below checks
    with contextlib.redirect_stdout(io.StringIO()):
        converted = checkpoint_filter_fn(dict(state), model)
    model.load_state_dict(converted, strict=True)
    # RoPE (DINOv3): any input size, so no img_size to give
    size = '' if arch.get('dinov3') else \
        f", img_size={img_size or arch['kwargs']['img_size']}"
    hint = (f"model.backbone=dict(type='TimmBackbone', model_name="
            f"'{arch['name']}'{size}, out_indices=(-1, ))")
    return OrderedDict(converted), hint


def resample_positions(state: StateDict, img_size: int) -> StateDict:
    """``pos_embed`` resampled (timm's bicubic, antialiased) to the grid of
    ``img_size``; a class-token position, if there, is kept. Models with
    rotary positions (DINOv3) have none and are returned as they are."""
    from timm.layers import resample_abs_pos_embed
    if 'pos_embed' not in state:
        return OrderedDict(state)
    pos = state['pos_embed']
    patch = state['patch_embed.proj.weight'].shape[-1]
    side = int(round(pos.shape[1] ** 0.5))
    prefix = 0 if side * side == pos.shape[1] else 1
    out = OrderedDict(state)
    out['pos_embed'] = resample_abs_pos_embed(
        pos, [img_size // patch] * 2, num_prefix_tokens=prefix)
    return out


# --- timm -> mmsegmentation VisionTransformer (mmseg's vit2mmseg.py) -------

_MMSEG_NAMES = (
    (r'^norm\.', 'ln1.'),
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$',
     r'layers.\1.attn.attn.in_proj_\2'),
    (r'^blocks\.(\d+)\.attn\.proj\.', r'layers.\1.attn.attn.out_proj.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
)


def timm_to_mmseg_vit(state: Mapping[str, torch.Tensor]) -> StateDict:
    """timm ViT keys -> mmseg ``VisionTransformer`` keys. mmseg's ViT has
    no LayerScale and no register tokens, and its position embedding always
    includes the class token: such checkpoints are refused."""
    if any('.ls1.' in k or '.ls2.' in k for k in state) or \
            'reg_token' in state:
        raise ValueError('mmseg\'s VisionTransformer has no LayerScale and '
                         'no register tokens (DINOv2 / DINOv3): use its '
                         'TIMMBackbone with --to densessl / timm instead')
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith('head.'):
            continue
        new = key
        for pattern, repl in _MMSEG_NAMES:
            new = re.sub(pattern, repl, new)
        out[new] = value
    return out
