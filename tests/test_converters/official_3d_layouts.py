"""Layout-exact stand-ins for published 3D checkpoints (no download), written
from the official architectures' module trees, independently of densessl's
converters and modules:

* Point-MAE ``Point_MAE`` / Point-CMAE ``Point_MAE`` (``base_model`` with
  ``MAE_encoder`` = ``MaskTransformer``: ``encoder`` (mini-PointNet
  ``first_conv`` / ``second_conv``), ``pos_embed``, ``blocks.blocks.i``
  (timm-style ``norm1``, ``attn.qkv`` without bias, ``attn.proj``, ``norm2``,
  ``mlp.fc1/fc2``), ``norm``; decoder ``MAE_decoder`` + ``increase_dim``;
  CMAE's ``cls_token1/2``, ``cls_pos1/2``, ``proj_cls``, ``mask_token1/2``,
  ``decoder_pos_embed1/2``, ``MAE_decoder_``, ``increase_dim_``);
* Point-MAE fine-tuned ``PointTransformer`` (``encoder``, ``cls_token``,
  ``cls_pos``, ``blocks``, ``norm``, ``cls_head_finetune``);
* PointContrast's MinkowskiEngine ``Res16UNet34C`` (``conv0p1s1``, ``bn0.bn``,
  ``conv{1..4}p*s2``, ``block1..8`` of ``BasicBlock`` with ``normK.bn`` and
  ``downsample.0/1``, ``convtr4p16s2..convtr7p2s2``, ``bntr4..7``, ``final``
  with a ``1 x C`` bias). ME kernels are ``K^3 x Cin x Cout``, and ``Cin x
  Cout`` for a 1x1 kernel.
"""
from collections import OrderedDict

import torch

RES16UNET34C_PLANES = (32, 64, 128, 256, 256, 128, 96, 96)
RES16UNET34C_LAYERS = (2, 3, 4, 6, 2, 2, 2, 2)


def _rand(gen, *shape, std=0.05):
    return torch.randn(*shape, generator=gen) * std


def _bn(gen, prefix, c):
    return OrderedDict([
        (prefix + 'weight', 1 + _rand(gen, c, std=0.2)),
        (prefix + 'bias', _rand(gen, c, std=0.1)),
        (prefix + 'running_mean', _rand(gen, c, std=0.1)),
        (prefix + 'running_var', 0.5 + torch.rand(c, generator=gen)),
        (prefix + 'num_batches_tracked', torch.tensor(100))])


def _linear(gen, prefix, cin, cout, bias=True, conv1d=False):
    shape = (cout, cin, 1) if conv1d else (cout, cin)
    out = OrderedDict([(prefix + 'weight', _rand(gen, *shape,
                                                 std=cin ** -0.5))])
    if bias:
        out[prefix + 'bias'] = _rand(gen, cout, std=0.05)
    return out


def _layernorm(gen, prefix, c):
    return OrderedDict([(prefix + 'weight', 1 + _rand(gen, c, std=0.1)),
                        (prefix + 'bias', _rand(gen, c, std=0.05))])


def mini_pointnet(gen, prefix, dim):
    state = _linear(gen, prefix + 'first_conv.0.', 3, 128, conv1d=True)
    state.update(_bn(gen, prefix + 'first_conv.1.', 128))
    state.update(_linear(gen, prefix + 'first_conv.3.', 128, 256, conv1d=True))
    state.update(_linear(gen, prefix + 'second_conv.0.', 512, 512,
                         conv1d=True))
    state.update(_bn(gen, prefix + 'second_conv.1.', 512))
    state.update(_linear(gen, prefix + 'second_conv.3.', 512, dim,
                         conv1d=True))
    return state


def position_mlp(gen, prefix, dim):
    state = _linear(gen, prefix + '0.', 3, 128)
    state.update(_linear(gen, prefix + '2.', 128, dim))
    return state


def transformer_blocks(gen, prefix, dim, depth):
    state = OrderedDict()
    for i in range(depth):
        p = f'{prefix}blocks.{i}.'
        state.update(_layernorm(gen, p + 'norm1.', dim))
        state.update(_linear(gen, p + 'attn.qkv.', dim, 3 * dim, bias=False))
        state.update(_linear(gen, p + 'attn.proj.', dim, dim))
        state.update(_layernorm(gen, p + 'norm2.', dim))
        state.update(_linear(gen, p + 'mlp.fc1.', dim, 4 * dim))
        state.update(_linear(gen, p + 'mlp.fc2.', 4 * dim, dim))
    return state


def _decoder(gen, dim, depth, group_size, token, pos, decoder, head):
    state = OrderedDict([(token, _rand(gen, 1, 1, dim, std=0.02))])
    state.update(position_mlp(gen, pos + '.', dim))
    state.update(transformer_blocks(gen, decoder + '.blocks.', dim, depth))
    state.update(_layernorm(gen, decoder + '.norm.', dim))
    state.update(_linear(gen, head + '.0.', dim, 3 * group_size, conv1d=True))
    return state


def point_mae_pretrain(dim=48, depth=2, decoder_depth=2, group_size=8,
                       cmae=False, seed=0):
    """The ``torch.save`` content of Point-MAE's (or Point-CMAE's) runner."""
    gen = torch.Generator().manual_seed(seed)
    state = OrderedDict()
    if cmae:
        for name in ('cls_token1', 'cls_pos1', 'cls_token2', 'cls_pos2'):
            state['MAE_encoder.' + name] = _rand(gen, 1, 1, dim, std=0.02)
    state.update(mini_pointnet(gen, 'MAE_encoder.encoder.', dim))
    state.update(position_mlp(gen, 'MAE_encoder.pos_embed.', dim))
    state.update(transformer_blocks(gen, 'MAE_encoder.blocks.', dim, depth))
    state.update(_layernorm(gen, 'MAE_encoder.norm.', dim))
    if cmae:
        state.update(_linear(gen, 'MAE_encoder.proj_cls.0.', dim, 256))
        state.update(_bn(gen, 'MAE_encoder.proj_cls.1.', 256))
        state.update(_linear(gen, 'MAE_encoder.proj_cls.3.', 256, 256))
        branches = [('mask_token1', 'decoder_pos_embed1', 'MAE_decoder',
                     'increase_dim'),
                    ('mask_token2', 'decoder_pos_embed2', 'MAE_decoder_',
                     'increase_dim_')]
    else:
        branches = [('mask_token', 'decoder_pos_embed', 'MAE_decoder',
                     'increase_dim')]
    for names in branches:
        state.update(_decoder(gen, dim, decoder_depth, group_size, *names))
    return {'base_model': state, 'optimizer': {}, 'epoch': 300,
            'metrics': {}}


def point_mae_finetuned(dim=48, depth=2, num_classes=10, seed=0):
    """A fine-tuned ``PointTransformer`` classifier's ``base_model``."""
    gen = torch.Generator().manual_seed(seed)
    state = OrderedDict(cls_token=_rand(gen, 1, 1, dim, std=0.02),
                        cls_pos=_rand(gen, 1, 1, dim, std=0.02))
    state.update(mini_pointnet(gen, 'encoder.', dim))
    state.update(position_mlp(gen, 'pos_embed.', dim))
    state.update(transformer_blocks(gen, 'blocks.', dim, depth))
    state.update(_layernorm(gen, 'norm.', dim))
    state.update(_linear(gen, 'cls_head_finetune.0.', 2 * dim, 256))
    state.update(_bn(gen, 'cls_head_finetune.1.', 256))
    state.update(_linear(gen, 'cls_head_finetune.4.', 256, 256))
    state.update(_bn(gen, 'cls_head_finetune.5.', 256))
    state.update(_linear(gen, 'cls_head_finetune.8.', 256, num_classes))
    return {'base_model': state, 'epoch': 300}


def _me_kernel(gen, prefix, k, cin, cout):
    shape = (cin, cout) if k == 1 else (k ** 3, cin, cout)
    return {prefix + 'kernel': _rand(gen, *shape, std=(cin * k ** 3) ** -0.5)}


def _me_bn(gen, prefix, c):
    return _bn(gen, prefix + 'bn.', c)


def res16unet(in_channels=3, out_channels=32, planes=RES16UNET34C_PLANES,
              layers=RES16UNET34C_LAYERS, init_dim=32, conv1_kernel=3,
              seed=0):
    """PointContrast's Res16UNet state dict (34C by default), as saved under
    the checkpoint's ``state_dict``."""
    gen = torch.Generator().manual_seed(seed)
    state = OrderedDict()
    state.update(_me_kernel(gen, 'conv0p1s1.', conv1_kernel, in_channels,
                            init_dim))
    state.update(_me_bn(gen, 'bn0.', init_dim))
    inplanes = init_dim
    skips = [init_dim]

    def stage(name, cin, cout, count):
        for i in range(count):
            p = f'{name}.{i}.'
            state.update(_me_kernel(gen, p + 'conv1.', 3, cin, cout))
            state.update(_me_bn(gen, p + 'norm1.', cout))
            state.update(_me_kernel(gen, p + 'conv2.', 3, cout, cout))
            state.update(_me_bn(gen, p + 'norm2.', cout))
            if cin != cout:
                state.update(_me_kernel(gen, p + 'downsample.0.', 1, cin,
                                        cout))
                state.update(_me_bn(gen, p + 'downsample.1.', cout))
            cin = cout

    for i in range(4):
        state.update(_me_kernel(gen, f'conv{i + 1}p{2 ** i}s2.', 2, inplanes,
                                inplanes))
        state.update(_me_bn(gen, f'bn{i + 1}.', inplanes))
        stage(f'block{i + 1}', inplanes, planes[i], layers[i])
        inplanes = planes[i]
        skips.append(inplanes)
    for i in range(4):
        state.update(_me_kernel(gen, f'convtr{4 + i}p{2 ** (4 - i)}s2.', 2,
                                inplanes, planes[4 + i]))
        state.update(_me_bn(gen, f'bntr{4 + i}.', planes[4 + i]))
        stage(f'block{5 + i}', planes[4 + i] + skips[3 - i], planes[4 + i],
              layers[4 + i])
        inplanes = planes[4 + i]
    state.update(_me_kernel(gen, 'final.', 1, inplanes, out_channels))
    state['final.bias'] = _rand(gen, 1, out_channels)
    return {'state_dict': state, 'epoch': 10}
