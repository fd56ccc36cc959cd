"""Export layouts load where they promise to, and only there."""
import pytest
import torch

from densessl.utils.export import (backbone_state_dict, save_tensors_only,
                                   to_layout)


def _model_state(model_name='resnet18'):
    from densessl.models.backbones import TimmBackbone
    torch.manual_seed(0)
    backbone = TimmBackbone(model_name, out_indices=(1, 2, 3, 4))
    state = {'backbone.' + k: v for k, v in backbone.state_dict().items()}
    state['neck.fc.weight'] = torch.zeros(2, 2)  # not exported
    return backbone, state


def test_torchvision_layout_loads_into_torchvision_resnet(tmp_path):
    import torchvision
    backbone, state = _model_state()
    out = to_layout(backbone_state_dict(state), 'torchvision')
    save_tensors_only(out, tmp_path / 'tv.pth', {'layout': 'torchvision'})
    loaded = torch.load(tmp_path / 'tv.pth', weights_only=True)['state_dict']
    net = torchvision.models.resnet18()
    missing, unexpected = net.load_state_dict(loaded, strict=False)
    assert not unexpected and set(missing) == {'fc.weight', 'fc.bias'}
    # same function: torchvision's trunk reproduces the densessl backbone's C5
    net.eval(), backbone.eval()
    x = torch.randn(2, 3, 64, 64)
    trunk = torch.nn.Sequential(*list(net.children())[:-2])
    assert torch.allclose(trunk(x), backbone(x)[-1], atol=1e-5)


def test_mm_resnet_layout_has_backbone_prefix_and_torchvision_names():
    _, state = _model_state()
    out = to_layout(backbone_state_dict(state), 'mm-resnet')
    assert 'backbone.layer4.1.bn2.running_var' in out
    assert all(k.startswith('backbone.') and 'timm_model' not in k
               for k in out)


def test_torchvision_layout_refuses_non_resnet():
    _, state = _model_state('efficientnet_b0')
    with pytest.raises(ValueError, match='plain ResNet backbone'):
        to_layout(backbone_state_dict(state), 'torchvision')


def test_unknown_layout_and_missing_backbone():
    _, state = _model_state()
    with pytest.raises(ValueError, match='Unknown layout'):
        to_layout(backbone_state_dict(state), 'onnx')
    with pytest.raises(KeyError, match='densessl training checkpoint'):
        backbone_state_dict({'neck.w': torch.zeros(1)})


def test_bad_checkpoint_files_are_named_with_what_is_wrong(tmp_path):
    import io

    from densessl.utils.export import load_checkpoint_file, save_tensors_only
    text = tmp_path / 'notes.pth'
    text.write_text('hello world\n')
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    buffer = io.BytesIO()
    torch.save({'a': torch.zeros(1000)}, buffer)
    truncated = tmp_path / 'cut.pth'
    truncated.write_bytes(buffer.getvalue()[:500])
    for path, message in ((text, 'is not a torch checkpoint'),
                          (empty, 'is empty'),
                          (truncated, 'truncated or damaged')):
        with pytest.raises(ValueError, match=message) as err:
            load_checkpoint_file(str(path))
        assert str(path) in str(err.value)
    with pytest.raises(IsADirectoryError, match='is a folder'):
        save_tensors_only({'a': torch.zeros(1)}, str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'cut.pth', 'empty.pth', 'notes.pth']
