"""Point-MAE / Point-CMAE: the group mask, parameter counts against the
official models, and model invariants; the point ops are tested in
tests/test_ops."""
import pytest
import torch

from densessl.models.algorithms.point_cmae import (random_group_mask,
                                                   to_group_order)


def _build(**kwargs):
    from densessl.registry import MODELS
    cfg = dict(type='PointCMAE', backbone=dict(type='PointPatchTransformer'))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _tiny(**kwargs):
    return _build(backbone=dict(type='PointPatchTransformer', num_groups=16,
                                group_size=8, embed_dim=24, depth=2,
                                num_heads=2), decoder_depth=1,
                  decoder_heads=2, **kwargs)


def test_random_mask_has_a_fixed_count():
    mask = random_group_mask(5, 64, 0.6)
    assert mask.sum(1).tolist() == [38] * 5  # floor(0.6 * 64)
    assert not torch.equal(mask[0], mask[1])


def test_to_group_order_scatters_visible_then_masked():
    mask = torch.tensor([[True, False, True, False], [False, True, True, False]])
    # features = the position in the decoder sequence
    feats = torch.arange(4.)[None, :, None].expand(2, 4, 1)
    out = to_group_order(feats, mask)[..., 0]
    # row 0: visible groups 1, 3 -> 0, 1; masked groups 0, 2 -> 2, 3
    assert out.tolist() == [[2., 0., 3., 1.], [0., 2., 3., 1.]]


def test_parameter_counts_match_the_official_models():
    # Point-CMAE's 36,354,240 include the dead proj_cls head (164,864)
    # that densessl leaves out; Point-MAE's pretraining model is 29,006,432.
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(_build()) == 36_354_240 - 164_864
    assert count(_build(num_masks=1)) == 29_006_432


def test_loss_step_gradients_and_options():
    torch.manual_seed(0)
    model = _tiny()
    losses = model.loss(torch.randn(3, 64, 3))
    assert set(losses) == {'loss_rec', 'loss_con'}
    sum(losses.values()).backward()
    for name in ('backbone.patch_embed.first_conv.0.weight',
                 'backbone.blocks.blocks.0.attn.qkv.weight',
                 'decoders.0.head.weight', 'decoders.1.head.weight',
                 'decoders.0.mask_token', 'decoders.1.mask_token',
                 'cls_tokens'):
        grad = dict(model.named_parameters())[name].grad
        assert grad is not None and grad.abs().sum() > 0, name
    mae = _tiny(num_masks=1, rec_weight=1.0)
    assert set(mae.loss(torch.randn(2, 64, 3))) == {'loss_rec'}
    with pytest.raises(ValueError, match='consistency'):
        _tiny(consistency='cosine')
    with pytest.raises(ValueError, match='cannot fill groups'):
        model.loss(torch.randn(2, 4, 3))


def test_released_form_selectable_and_weights_scale():
    torch.manual_seed(0)
    x = torch.randn(2, 64, 3)
    a = _tiny(consistency='released', rec_weight=1.0, con_weight=2.0)
    torch.manual_seed(1)
    la = a.loss(x)
    b = _tiny(consistency='released', rec_weight=1000.0, con_weight=1.0)
    b.load_state_dict(a.state_dict())
    torch.manual_seed(1)
    lb = b.loss(x)
    assert lb['loss_rec'].item() == pytest.approx(
        1000 * la['loss_rec'].item(), rel=1e-5)
    assert la['loss_con'].item() == pytest.approx(
        2 * lb['loss_con'].item(), rel=1e-5)


def test_predict_gives_one_data_sample_per_cloud():
    torch.manual_seed(0)
    model = _tiny().eval()
    clouds = torch.randn(3, 64, 3)
    with torch.no_grad():
        tokens, centers = model(clouds, mode='tensor')
        samples = model(clouds, mode='predict')
    assert len(samples) == 3
    for i, sample in enumerate(samples):
        assert sample.point_feats.shape == (16, 24)
        assert torch.allclose(sample.point_feats.norm(dim=-1),
                              torch.ones(16), atol=1e-5)
        assert torch.allclose(sample.point_feats * tokens[i].norm(
            dim=-1, keepdim=True), tokens[i], atol=1e-5)
        assert torch.equal(sample.centers, centers[i])
        assert torch.equal(sample.global_feat, tokens[i].max(0).values)
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(clouds, mode='features')
