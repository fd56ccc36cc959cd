"""Point-MAE / Point-CMAE and PointContrast checkpoints -> densessl.

The converted modules are checked against the source architectures: a
functional port of Point-MAE's forward written from its official modules
(mini-PointNet, ``x = block(x + pos)`` pre-norm blocks, final LayerNorm)
that reads the *source* keys, and -- where MinkowskiEngine is installed -- a
Res16UNet built from MinkowskiEngine modules under the official names that
loads the source state dict strictly."""
import pytest
import torch
import torch.nn.functional as F

import official_3d_layouts as layouts
from densessl.converters import convert_checkpoint
from densessl.ops import group_points


def _conv1d(x, state, prefix):  # B x C x N, a kernel-1 Conv1d
    return torch.einsum('oc,bcn->bon', state[prefix + 'weight'][..., 0],
                        x) + state[prefix + 'bias'][None, :, None]


def _bn_eval(x, state, prefix):
    shape = (1, -1, 1)
    scale = state[prefix + 'weight'] / torch.sqrt(
        state[prefix + 'running_var'] + 1e-5)
    return (x - state[prefix + 'running_mean'].view(shape)) * \
        scale.view(shape) + state[prefix + 'bias'].view(shape)


def _mini_pointnet(state, p, neighborhood):
    b, g, k, _ = neighborhood.shape
    x = neighborhood.reshape(b * g, k, 3).transpose(1, 2)
    x = _conv1d(F.relu(_bn_eval(_conv1d(x, state, p + 'first_conv.0.'),
                                state, p + 'first_conv.1.')),
                state, p + 'first_conv.3.')
    x = torch.cat([x.max(2, keepdim=True).values.expand(-1, -1, k), x], 1)
    x = _conv1d(F.relu(_bn_eval(_conv1d(x, state, p + 'second_conv.0.'),
                                state, p + 'second_conv.1.')),
                state, p + 'second_conv.3.')
    return x.max(2).values.reshape(b, g, -1)


def _mlp(state, p, x):
    return F.linear(F.gelu(F.linear(x, state[p + '0.weight'],
                                    state[p + '0.bias'])),
                    state[p + '2.weight'], state[p + '2.bias'])


def _layernorm(state, p, x):
    return F.layer_norm(x, x.shape[-1:], state[p + 'weight'], state[p + 'bias'])


def _blocks(state, p, x, pos, heads):
    b, n, c = x.shape
    i = 0
    while f'{p}blocks.{i}.norm1.weight' in state:
        q = f'{p}blocks.{i}.'
        x = x + pos
        h = _layernorm(state, q + 'norm1.', x)
        qkv = F.linear(h, state[q + 'attn.qkv.weight']).reshape(
            b, n, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
        attn = (qkv[0] @ qkv[1].transpose(-2, -1)) * (c // heads) ** -0.5
        out = (attn.softmax(-1) @ qkv[2]).transpose(1, 2).reshape(b, n, c)
        x = x + F.linear(out, state[q + 'attn.proj.weight'],
                         state[q + 'attn.proj.bias'])
        h = _layernorm(state, q + 'norm2.', x)
        h = F.linear(F.gelu(F.linear(h, state[q + 'mlp.fc1.weight'],
                                     state[q + 'mlp.fc1.bias'])),
                     state[q + 'mlp.fc2.weight'], state[q + 'mlp.fc2.bias'])
        x = x + h
        i += 1
    return x


def official_encoder(state, p, neighborhood, center, heads):
    """Point-MAE's encoder on every group: tokens, ``pos_embed`` of the
    centres, the blocks, the final LayerNorm."""
    tokens = _mini_pointnet(state, p + 'encoder.', neighborhood)
    pos = _mlp(state, p + 'pos_embed.', center)
    return _layernorm(state, p + 'norm.',
                      _blocks(state, p + 'blocks.', tokens, pos, heads))


def official_decoder(state, names, visible, center_vis, center_mask, heads):
    """One Point-MAE decoder branch: visible tokens + mask tokens, its own
    position MLP, the blocks, LayerNorm of the masked outputs, the Conv1d
    head -> ``(B * M) x K x 3``."""
    token, pos_name, decoder, head = names
    b, m = center_mask.shape[:2]
    x = torch.cat([visible, state[token].expand(b, m, -1)], 1)
    pos = _mlp(state, pos_name + '.', torch.cat([center_vis, center_mask], 1))
    x = _blocks(state, decoder + '.blocks.', x, pos, heads)
    x = _layernorm(state, decoder + '.norm.', x[:, -m:])
    points = _conv1d(x.transpose(1, 2), state, head + '.0.').transpose(1, 2)
    return points.reshape(b * m, -1, 3)


def _groups(seed=0, group_size=8):
    gen = torch.Generator().manual_seed(seed)
    points = torch.rand(2, 256, 3, generator=gen) * 2 - 1
    return group_points(points, 16, group_size)


def _load_backbone(path, dim, depth, heads):
    from densessl.models.backbones import PointPatchTransformer
    state = torch.load(path, weights_only=True)['state_dict']
    backbone = PointPatchTransformer(num_groups=16, group_size=8,
                                     embed_dim=dim, depth=depth,
                                     num_heads=heads).eval()
    part = {k[len('backbone.'):]: v for k, v in state.items()
            if k.startswith('backbone.')}
    backbone.load_state_dict(part, strict=True)
    return backbone, state


@pytest.mark.parametrize('cmae', [False, True])
def test_point_mae_encoder_equals_the_official_forward(cmae, tmp_path):
    ckpt = layouts.point_mae_pretrain(cmae=cmae)
    torch.save(ckpt, tmp_path / 'src.pth')
    report = convert_checkpoint(str(tmp_path / 'src.pth'),
                                str(tmp_path / 'out.pth'))
    assert report.source_format == ('point-cmae' if cmae else 'point-mae')
    backbone, _ = _load_backbone(tmp_path / 'out.pth', 48, 2, heads=6)
    neighborhood, center = _groups()
    with torch.no_grad():
        ours = backbone.encode(backbone.embed(neighborhood), center)
    theirs = official_encoder(ckpt['base_model'], 'MAE_encoder.',
                              neighborhood, center, heads=6)
    assert torch.allclose(ours, theirs, atol=1e-5)
    # num_heads is not in the weights: a wrong count gives other features
    other, _ = _load_backbone(tmp_path / 'out.pth', 48, 2, heads=1)
    with torch.no_grad():
        assert not torch.allclose(
            other.encode(other.embed(neighborhood), center), theirs,
            atol=1e-3)


def test_point_cmae_full_model_loads_with_both_decoders(tmp_path):
    from densessl.converters.keymaps import POINT_CMAE_DECODERS
    from densessl.registry import MODELS
    ckpt = layouts.point_mae_pretrain(cmae=True)
    source = ckpt['base_model']
    torch.save(ckpt, tmp_path / 'src.pth')
    report = convert_checkpoint(str(tmp_path / 'src.pth'),
                                str(tmp_path / 'out.pth'))
    # the cls projection (Linear, BN with its step count, Linear) is a
    # pretraining head densessl's CMAE does not have
    assert report.not_converted == {'MAE_encoder': 2 + 5 + 2}
    assert 'MaskedPointDecoder' in report.checked_against
    state = torch.load(tmp_path / 'out.pth', weights_only=True)['state_dict']
    model = MODELS.build(dict(
        type='PointCMAE', num_masks=2, decoder_depth=2, decoder_heads=6,
        backbone=dict(type='PointPatchTransformer', num_groups=16,
                      group_size=8, embed_dim=48, depth=2, num_heads=6)))
    model.load_state_dict(state, strict=True)
    assert torch.equal(model.cls_tokens[1], source['MAE_encoder.cls_token2'])
    assert torch.equal(model.cls_pos[0], source['MAE_encoder.cls_pos1'])
    model.eval()
    neighborhood, center = _groups(seed=1)
    mask = torch.zeros(2, 16, dtype=torch.bool)
    mask[:, ::3] = True
    visible = torch.randn(2, int((~mask[0]).sum()), 48)
    cv, cm = center[~mask].reshape(2, -1, 3), center[mask].reshape(2, -1, 3)
    for i, names in enumerate(POINT_CMAE_DECODERS):
        with torch.no_grad():
            ours, _ = model.decoders[i](visible, cv, cm)
        theirs = official_decoder(source, names, visible, cv, cm, heads=6)
        assert torch.allclose(ours, theirs, atol=1e-5)


def test_finetuned_point_transformer_keeps_the_encoder(tmp_path):
    ckpt = layouts.point_mae_finetuned()
    torch.save(ckpt, tmp_path / 'src.pth')
    report = convert_checkpoint(str(tmp_path / 'src.pth'),
                                str(tmp_path / 'out.pth'))
    assert report.source_format == 'point-mae'
    assert set(report.not_converted) == {'cls_token', 'cls_pos',
                                         'cls_head_finetune'}
    backbone, state = _load_backbone(tmp_path / 'out.pth', 48, 2, heads=6)
    assert not any(k.startswith('decoders.') for k in state)
    neighborhood, center = _groups(seed=2)
    with torch.no_grad():
        ours = backbone.encode(backbone.embed(neighborhood), center)
    assert torch.allclose(ours, official_encoder(
        ckpt['base_model'], '', neighborhood, center, heads=6), atol=1e-5)


def test_res16unet34c_converts_into_minkunet34(tmp_path):
    from densessl.models.backbones import MinkUNet
    ckpt = layouts.res16unet()
    torch.save(ckpt, tmp_path / 'src.pth')
    report = convert_checkpoint(str(tmp_path / 'src.pth'),
                                str(tmp_path / 'out.pth'))
    assert report.source_format == 'pointcontrast'
    assert report.not_converted == {}
    assert 'depth=34' in report.model_hint and 'stem_kernel_size=3' in \
        report.model_hint
    state = torch.load(tmp_path / 'out.pth', weights_only=True)['state_dict']
    model = MinkUNet(in_channels=3, out_channels=32, depth=34,
                     stem_kernel_size=3)
    model.load_state_dict({k[len('backbone.'):]: v for k, v in state.items()},
                          strict=True)
    source = ckpt['state_dict']
    # 1x1 kernels gain the offset axis; the final bias loses its row axis
    assert torch.equal(model.final.weight[0], source['final.kernel'])
    assert torch.equal(model.final.bias, source['final.bias'][0])
    assert torch.equal(model.enc[1][0].downsample[0].weight[0],
                       source['block2.0.downsample.0.kernel'])
    assert torch.equal(model.dec[3][1].bn2.running_var,
                       source['block8.1.norm2.bn.running_var'])
    # a 2x2x2 kernel: MinkowskiEngine's offset order is x fastest
    k = source['conv1p1s2.kernel'].reshape(2, 2, 2, 32, 32)  # z, y, x
    assert torch.equal(model.down[0].conv.weight.reshape(2, 2, 2, 32, 32),
                       k.permute(2, 1, 0, 3, 4))


def test_pointcontrast_has_no_teacher_branch(tmp_path):
    torch.save(layouts.res16unet(planes=(8,) * 8, layers=(1,) * 8,
                                 init_dim=8, out_channels=8),
               tmp_path / 'src.pth')
    with pytest.raises(ValueError, match='no momentum encoder'):
        convert_checkpoint(str(tmp_path / 'src.pth'),
                           str(tmp_path / 'out.pth'), branch='teacher')
    with pytest.raises(ValueError, match='--to densessl'):
        convert_checkpoint(str(tmp_path / 'src.pth'),
                           str(tmp_path / 'out.pth'), target='torchvision')
    assert not (tmp_path / 'out.pth').exists()


def test_converted_point_mae_initialises_the_3d_transfer_backbone(tmp_path):
    from mmengine.config import Config
    from densessl.apis.transfer import prepare_config
    from densessl.registry import MODELS
    ckpt = layouts.point_mae_pretrain(dim=192, depth=4, group_size=16)
    torch.save(ckpt, tmp_path / 'src.pth')
    convert_checkpoint(str(tmp_path / 'src.pth'), str(tmp_path / 'out.pth'))
    cfg = Config.fromfile('configs/benchmarks/point_transfer/'
                          'pointtransformer-small_cls_1xb32-adamw-8e_objects'
                          '.py')
    prepare_config(cfg, 'cls3d', pretrained=str(tmp_path / 'out.pth'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    source = ckpt['base_model']
    assert torch.equal(model.backbone.blocks.blocks[3].attn.qkv.weight,
                       source['MAE_encoder.blocks.blocks.3.attn.qkv.weight'])
    assert torch.equal(model.backbone.patch_embed.first_conv[1].running_var,
                       source['MAE_encoder.encoder.first_conv.1.running_var'])
