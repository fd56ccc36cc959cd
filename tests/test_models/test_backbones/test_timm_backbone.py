"""TimmBackbone's CNN options: ``frozen`` and ``channels_last``."""
import copy

import pytest
import torch

from densessl.models.backbones import TimmBackbone


def test_frozen_backbone_stays_in_eval_mode_without_gradients():
    backbone = TimmBackbone('resnet18', out_indices=(4, ), frozen=True)
    backbone.train()
    assert not any(m.training for m in backbone.modules())
    out = backbone(torch.randn(2, 3, 32, 32))[0]
    assert not out.requires_grad


def test_channels_last_computes_the_same_maps_and_gradients():
    torch.manual_seed(0)
    plain = TimmBackbone('resnet18', out_indices=(3, 4))
    nhwc = TimmBackbone('resnet18', out_indices=(3, 4), channels_last=True)
    nhwc.load_state_dict(plain.state_dict())  # copies keep the layout
    conv = nhwc.timm_model.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert not conv.is_contiguous()
    x = torch.randn(2, 3, 64, 64)
    outs_plain, outs_nhwc = plain(x), nhwc(x)
    for a, b in zip(outs_plain, outs_nhwc):
        assert b.is_contiguous(memory_format=torch.channels_last)
        assert torch.allclose(a, b, atol=1e-5)
    sum(o.square().sum() for o in outs_plain).backward()
    sum(o.square().sum() for o in outs_nhwc).backward()
    for (name, p), q in zip(plain.named_parameters(), nhwc.parameters()):
        # summation order differs between layouts: compare to the scale
        scale = p.grad.abs().max()
        assert (p.grad - q.grad).abs().max() <= 1e-5 * scale, name
    # a momentum copy (deepcopy) keeps the layout
    twin = copy.deepcopy(nhwc)
    assert twin.timm_model.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)


def test_channels_last_is_refused_for_token_models():
    with pytest.raises(ValueError, match='CNN backbones'):
        TimmBackbone('vit_tiny_patch16_224', img_size=32, out_indices=(-1, ),
                     channels_last=True)


@pytest.mark.parametrize('name, kwargs', [
    ('vit_tiny_patch16_224', dict(img_size=32, out_indices=(-1, ))),
    ('resnet18', dict(out_indices=(4, ))),
])
def test_any_input_size_keeps_the_weights_of_one_seed(name, kwargs):
    torch.manual_seed(0)
    fixed = TimmBackbone(name, **kwargs)
    torch.manual_seed(0)
    free = TimmBackbone(name, any_input_size=True, **kwargs)
    a, b = fixed.state_dict(), free.state_dict()
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    fixed.eval(), free.eval()
    x = torch.randn(1, 3, 32, 32)
    assert torch.allclose(fixed(x)[0], free(x)[0], atol=1e-5)


def test_any_input_size_lets_a_vit_see_other_sizes():
    vit = TimmBackbone('vit_tiny_patch16_224', img_size=32,
                       out_indices=(-1, )).eval()
    with pytest.raises(AssertionError, match="doesn't match"):
        vit(torch.randn(1, 3, 48, 64))
    free = TimmBackbone('vit_tiny_patch16_224', img_size=32,
                        out_indices=(-1, ), any_input_size=True).eval()
    free.load_state_dict(vit.state_dict())  # same shapes (pos_embed 2x2)
    out = free(torch.randn(1, 3, 48, 64))[0]
    assert out.shape == (1, 192, 3, 4)
