"""ViT checkpoints in (DINO, iBOT, MAE, DINOv2 with and without
registers) and out (timm, mmseg's VisionTransformer): layout-exact
stand-ins, and the converted model computes what the source computes."""
from collections import OrderedDict

import pytest
import torch
from timm.layers import PatchEmbed
from timm.models.vision_transformer import Block

from densessl.converters import convert_checkpoint
from densessl.models.backbones import TimmBackbone


def _blocks(dim, heads, depth, layer_scale, seed):
    torch.manual_seed(seed)
    blocks = torch.nn.ModuleList(
        Block(dim, heads, qkv_bias=True,
              init_values=1e-5 if layer_scale else None)
        for _ in range(depth)).eval()
    for p in blocks.parameters():  # non-trivial LayerScale / norms
        p.data.normal_(0, 0.05).add_(torch.ones_like(p) * (p.dim() == 1))
    return blocks


def vit_release(dim=192, heads=3, depth=2, patch=16, grid=4, registers=0,
                dinov2=False, seed=0):
    """Release-named ViT tensors (the DINO / iBOT / MAE / DINOv2 names)
    and the modules an independent forward runs them with."""
    torch.manual_seed(seed)
    embed = PatchEmbed(grid * patch, patch, 3, dim).eval()
    blocks = _blocks(dim, heads, depth, dinov2, seed)
    norm = torch.nn.LayerNorm(dim, eps=1e-6)
    norm.weight.data.normal_(1, 0.1)
    state = OrderedDict(cls_token=torch.randn(1, 1, dim) * 0.1,
                        pos_embed=torch.randn(1, 1 + grid * grid, dim) * 0.1)
    state.update(('patch_embed.' + k, v) for k, v in
                 embed.state_dict().items())
    state.update(('blocks.' + k, v) for k, v in blocks.state_dict().items())
    state.update(('norm.' + k, v) for k, v in norm.state_dict().items())
    if registers:
        state['register_tokens'] = torch.randn(1, registers, dim) * 0.1
    if dinov2:
        state['mask_token'] = torch.zeros(1, dim)
    return state, (embed, blocks, norm)


def source_forward(state, modules, x):
    """The releases' forward (DINO / DINOv2 ``prepare_tokens``): class
    token + its position, patches + theirs, registers inserted after the
    class token without position; blocks; final norm; patch tokens."""
    embed, blocks, norm = modules
    pos = state['pos_embed']
    tokens = embed(x) + pos[:, 1:]
    cls = (state['cls_token'] + pos[:, :1]).expand(len(x), -1, -1)
    parts = [cls]
    if 'register_tokens' in state:
        parts.append(state['register_tokens'].expand(len(x), -1, -1))
    h = torch.cat(parts + [tokens], dim=1)
    for block in blocks:
        h = block(h)
    h = norm(h)[:, sum(p.shape[1] for p in parts):]
    side = int(h.shape[1] ** 0.5)
    return h.transpose(1, 2).reshape(len(x), -1, side, side)


def _densessl_backbone(path, model_name, img_size, **kwargs):
    state = torch.load(path, weights_only=True)['state_dict']
    backbone = TimmBackbone(model_name, img_size=img_size,
                            out_indices=(-1, ), final_norm=True,
                            **kwargs).eval()
    own = backbone.state_dict()
    assert set(state) == {'backbone.' + k for k in own}
    backbone.load_state_dict({k[len('backbone.'):]: v
                              for k, v in state.items()})
    return backbone


def _wrap(kind, state):
    heads = {'head.mlp.0.weight': torch.zeros(8, 192),
             'head.last_layer.weight_g': torch.ones(16, 1)}
    if kind == 'dino':  # main_dino.py: student under DDP, teacher not
        return dict(
            teacher=OrderedDict([('backbone.' + k, v) for k, v in
                                 state.items()] + list(heads.items())),
            student=OrderedDict([('module.backbone.' + k, v * 0) for k, v
                                 in state.items()]),
            epoch=100)
    if kind == 'ibot':  # checkpoint_teacher.pth / student with masked_embed
        inner = OrderedDict(('backbone.' + k, v) for k, v in state.items())
        inner['backbone.masked_embed'] = torch.zeros(1, 192)
        inner.update(heads)
        return dict(state_dict=inner)
    if kind == 'mae':  # the pretraining checkpoint: encoder + decoder
        inner = OrderedDict(state)
        inner['mask_token'] = torch.zeros(1, 1, 64)
        inner['decoder_embed.weight'] = torch.zeros(64, 192)
        inner['decoder_pos_embed'] = torch.zeros(1, 17, 64)
        return dict(model=inner)
    return dict(state)  # DINO's *_pretrain.pth: the backbone alone


@pytest.mark.parametrize('kind', ['dino', 'ibot', 'mae', 'plain'])
def test_dino_ibot_mae_releases(kind, tmp_path):
    state, modules = vit_release()
    src = tmp_path / f'{kind}.pth'
    torch.save(_wrap(kind, state), src)
    dst = tmp_path / 'out.pth'
    report = convert_checkpoint(str(src), str(dst))
    assert report.source_format == 'vit' and report.kind == 'vit'
    assert "'vit_tiny_patch16_224', img_size=64" in report.model_hint
    assert report.branch == ('teacher' if kind == 'dino' else 'online')
    backbone = _densessl_backbone(dst, 'vit_tiny_patch16_224', 64, depth=2)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(backbone(x)[-1],
                              source_forward(state, modules, x), atol=1e-5)
    if kind == 'mae':
        assert report.not_converted  # the decoder stays behind


@pytest.mark.parametrize('registers', [0, 4])
def test_dinov2_with_and_without_registers(registers, tmp_path):
    state, modules = vit_release(dim=384, heads=6, patch=14, grid=4,
                                 registers=registers, dinov2=True)
    src = tmp_path / 'dinov2.pth'
    torch.save(dict(state), src)
    dst = tmp_path / 'out.pth'
    report = convert_checkpoint(str(src), str(dst))
    name = ('vit_small_patch14_reg4_dinov2' if registers else
            'vit_small_patch14_dinov2')
    assert f"'{name}', img_size=56" in report.model_hint
    backbone = _densessl_backbone(dst, name, 56, depth=2)
    x = torch.randn(2, 3, 56, 56)
    with torch.no_grad():
        assert torch.allclose(backbone(x)[-1],
                              source_forward(state, modules, x), atol=1e-5)
    # resampled to another input size: the model builds and runs there
    report = convert_checkpoint(str(src), str(tmp_path / 'big.pth'),
                                img_size=84)
    assert 'img_size=84' in report.model_hint
    big = _densessl_backbone(tmp_path / 'big.pth', name, 84, depth=2)
    assert big(torch.randn(1, 3, 84, 84))[-1].shape == (1, 384, 6, 6)


def test_densessl_vit_exports_to_timm_and_mmseg(tmp_path):
    import timm
    from mmseg.models.backbones import VisionTransformer
    torch.manual_seed(0)
    ours = TimmBackbone('vit_tiny_patch16_224', img_size=64,
                        out_indices=(-1, )).eval()
    ckpt = tmp_path / 'densessl.pth'
    torch.save(dict(state_dict={'backbone.' + k: v for k, v in
                                ours.state_dict().items()}), ckpt)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = ours(x)[-1]

    convert_checkpoint(str(ckpt), str(tmp_path / 'timm.pth'), target='timm')
    state = torch.load(tmp_path / 'timm.pth', weights_only=True)
    model = timm.create_model('vit_tiny_patch16_224', img_size=64,
                              num_classes=0).eval()
    model.load_state_dict(state['state_dict'], strict=True)
    with torch.no_grad():
        block_out = model.forward_intermediates(
            x, indices=[11], intermediates_only=True)[-1]
    assert torch.allclose(block_out, expected, atol=1e-5)

    convert_checkpoint(str(ckpt), str(tmp_path / 'mmseg.pth'),
                       target='mmseg-vit')
    state = torch.load(tmp_path / 'mmseg.pth', weights_only=True)
    mmseg_vit = VisionTransformer(
        img_size=64, patch_size=16, embed_dims=192, num_layers=12,
        num_heads=3, out_indices=(11, ), qkv_bias=True, final_norm=False,
        patch_bias=True,
        norm_cfg=dict(type='LN', eps=1e-6),
        interpolate_mode='bicubic')
    mmseg_vit.eval()  # (mmseg's train() returns None)
    own, given = set(mmseg_vit.state_dict()), set(state['state_dict'])
    assert own <= given and given - own <= {'ln1.weight', 'ln1.bias'}
    mmseg_vit.load_state_dict({k: v for k, v in state['state_dict'].items()
                               if k in own})
    with torch.no_grad():
        assert torch.allclose(mmseg_vit(x)[-1], expected, atol=1e-4)


def test_layer_scale_and_registers_are_refused_for_mmseg(tmp_path):
    state, _ = vit_release(dim=384, heads=6, patch=14, registers=4,
                           dinov2=True)
    torch.save(dict(state), tmp_path / 'dinov2.pth')
    with pytest.raises(ValueError, match='LayerScale'):
        convert_checkpoint(str(tmp_path / 'dinov2.pth'),
                           str(tmp_path / 'x.pth'), target='mmseg-vit')


# --- DINOv3 (facebookresearch/dinov3: vision_transformer.py, layers/) -----

def dinov3_release(dim=384, heads=6, depth=2, storage=4, qv_bias=False,
                   seed=0):
    """A DINOv3 release's tensors under its own names (``dinov3_vits16``:
    storage tokens, RoPE periods at base 100, LayerScale ``ls1/ls2.gamma``,
    ``LinearKMaskedBias`` with its ``bias_mask``, ``mask_token``)."""
    g = torch.Generator().manual_seed(seed)
    rnd = lambda *shape, s=0.05: torch.randn(*shape, generator=g) * s  # noqa
    head_dim = dim // heads
    state = OrderedDict(
        cls_token=rnd(1, 1, dim, s=0.1),
        storage_tokens=rnd(1, storage, dim, s=0.1),
        mask_token=torch.zeros(1, dim))
    state['patch_embed.proj.weight'] = rnd(dim, 3, 16, 16)
    state['patch_embed.proj.bias'] = rnd(dim)
    state['rope_embed.periods'] = 100.0 ** (
        2 * torch.arange(head_dim // 4) / (head_dim // 2))
    for i in range(depth):
        b = f'blocks.{i}.'
        state[b + 'norm1.weight'], state[b + 'norm1.bias'] = \
            1 + rnd(dim), rnd(dim)
        state[b + 'attn.qkv.weight'] = rnd(3 * dim, dim)
        bias = rnd(3 * dim) if qv_bias else torch.zeros(3 * dim)
        bias[dim:2 * dim] = rnd(dim)  # the k part: stored, masked out
        state[b + 'attn.qkv.bias'] = bias
        mask = torch.ones(3 * dim)
        mask[dim:2 * dim] = 0
        state[b + 'attn.qkv.bias_mask'] = mask
        state[b + 'attn.proj.weight'], state[b + 'attn.proj.bias'] = \
            rnd(dim, dim), rnd(dim)
        state[b + 'ls1.gamma'] = 0.5 + rnd(dim)
        state[b + 'norm2.weight'], state[b + 'norm2.bias'] = \
            1 + rnd(dim), rnd(dim)
        state[b + 'mlp.fc1.weight'], state[b + 'mlp.fc1.bias'] = \
            rnd(4 * dim, dim), rnd(4 * dim)
        state[b + 'mlp.fc2.weight'], state[b + 'mlp.fc2.bias'] = \
            rnd(dim, 4 * dim), rnd(dim)
        state[b + 'ls2.gamma'] = 0.5 + rnd(dim)
    state['norm.weight'], state['norm.bias'] = 1 + rnd(dim), rnd(dim)
    return state


def dinov3_forward(state, x, heads=6, storage=4, eps=1e-5):
    """DINOv3's eval forward, written from the official code: tokens
    [cls, storage, patches]; RoPE ('separate' coordinates in [-1, 1],
    angles 2 pi c / period, h then w, tiled; rotate-half) on the patch
    queries and keys only; pre-norm blocks with LayerScale; the masked qkv
    bias; final norm; the patch tokens as a map."""
    import math
    F = torch.nn.functional
    n = len(x)
    patches = F.conv2d(x, state['patch_embed.proj.weight'],
                       state['patch_embed.proj.bias'], stride=16)
    dim, h, w = patches.shape[1:]
    tokens = torch.cat([state['cls_token'].expand(n, -1, -1),
                        state['storage_tokens'].expand(n, -1, -1),
                        patches.flatten(2).transpose(1, 2)], 1)
    ch = (torch.arange(h) + 0.5) / h
    cw = (torch.arange(w) + 0.5) / w
    coords = torch.stack(torch.meshgrid(ch, cw, indexing='ij'), -1)
    coords = 2 * coords.reshape(-1, 2) - 1
    angles = 2 * math.pi * coords[:, :, None] / \
        state['rope_embed.periods'][None, None]
    angles = angles.flatten(1).tile(2)
    sin, cos = angles.sin(), angles.cos()

    def rope(t):
        t1, t2 = t.chunk(2, -1)
        return t * cos + torch.cat([-t2, t1], -1) * sin

    prefix = 1 + storage
    depth = 1 + max(int(k.split('.')[1]) for k in state
                    if k.startswith('blocks.'))
    for i in range(depth):
        b = f'blocks.{i}.'
        y = F.layer_norm(tokens, (dim, ), state[b + 'norm1.weight'],
                         state[b + 'norm1.bias'], eps)
        qkv = F.linear(y, state[b + 'attn.qkv.weight'],
                       state[b + 'attn.qkv.bias'] *
                       state[b + 'attn.qkv.bias_mask'])
        q, k, v = qkv.reshape(n, -1, 3, heads, dim // heads).unbind(2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        q = torch.cat([q[:, :, :prefix], rope(q[:, :, prefix:])], 2)
        k = torch.cat([k[:, :, :prefix], rope(k[:, :, prefix:])], 2)
        attn = (q @ k.transpose(-1, -2) / math.sqrt(dim // heads)).softmax(-1)
        out = (attn @ v).transpose(1, 2).reshape(n, -1, dim)
        tokens = tokens + state[b + 'ls1.gamma'] * F.linear(
            out, state[b + 'attn.proj.weight'], state[b + 'attn.proj.bias'])
        y = F.layer_norm(tokens, (dim, ), state[b + 'norm2.weight'],
                         state[b + 'norm2.bias'], eps)
        y = F.linear(F.gelu(F.linear(y, state[b + 'mlp.fc1.weight'],
                                     state[b + 'mlp.fc1.bias'])),
                     state[b + 'mlp.fc2.weight'], state[b + 'mlp.fc2.bias'])
        tokens = tokens + state[b + 'ls2.gamma'] * y
    tokens = F.layer_norm(tokens, (dim, ), state['norm.weight'],
                          state['norm.bias'], eps)[:, prefix:]
    return tokens.transpose(1, 2).reshape(n, dim, h, w)


@pytest.mark.parametrize('qv_bias', [False, True])
def test_dinov3_release_computes_the_official_features(qv_bias, tmp_path):
    state = dinov3_release(qv_bias=qv_bias)
    src = tmp_path / 'dinov3_vits16.pth'
    torch.save(dict(state), src)
    dst = tmp_path / 'out.pth'
    report = convert_checkpoint(str(src), str(dst))
    name = 'vit_small_patch16_dinov3' + ('_qkvb' if qv_bias else '')
    assert report.kind == 'vit' and f"'{name}'" in report.model_hint
    assert 'img_size' not in report.model_hint  # RoPE: any size
    backbone = _densessl_backbone(dst, name, None, depth=2)
    for size in ((64, 64), (48, 80)):  # non-square too
        x = torch.randn(2, 3, *size)
        with torch.no_grad():
            ours = backbone(x)[-1]
            assert torch.allclose(ours, dinov3_forward(state, x),
                                  atol=1e-4), (ours - dinov3_forward(
                                      state, x)).abs().max()
    # --img-size has nothing to resample and changes nothing
    convert_checkpoint(str(src), str(tmp_path / 'same.pth'), img_size=96)
    again = torch.load(tmp_path / 'same.pth', weights_only=True)
    first = torch.load(dst, weights_only=True)
    assert all(torch.equal(again['state_dict'][k], v)
               for k, v in first['state_dict'].items())
