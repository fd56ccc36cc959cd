"""Published 2D checkpoints convert, load completely, and compute what the
source network computes."""
import pickle

import pytest
import torch

from densessl.converters import convert_checkpoint, detect_format, unwrap
from densessl.models.backbones import TimmBackbone
import official_layouts as layouts

SOURCES = {
    'torchvision': lambda on, key: layouts.densecl_release(on),
    'openselfsup': layouts.openselfsup,
    'mmselfsup': layouts.mmselfsup,
    'pixpro': layouts.pixpro,
    'slotcon': layouts.slotcon,
}
# the network each method transfers by default
TRANSFERRED = dict(torchvision='online', openselfsup='online',
                   mmselfsup='online', pixpro='online', slotcon='teacher')


def _c5(model, x):
    """torchvision ResNet up to layer4 (the reference computation)."""
    m = model
    x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    return m.layer4(m.layer3(m.layer2(m.layer1(x))))


def _timm_from(path, name='resnet18'):
    backbone = TimmBackbone(name).eval()
    state = torch.load(path, weights_only=True)['state_dict']
    own = backbone.state_dict()
    assert {'backbone.' + k for k in own} == set(state)
    backbone.load_state_dict({k[len('backbone.'):]: v
                              for k, v in state.items()})
    return backbone


@pytest.fixture(scope='module')
def nets():
    return layouts.resnet(18, seed=0), layouts.resnet(18, seed=1)


@pytest.mark.parametrize('fmt', sorted(SOURCES))
def test_each_format_is_detected_and_converts_to_the_same_function(
        fmt, nets, tmp_path):
    online, key = nets
    src, dst = tmp_path / 'src.pth', tmp_path / 'dst.pth'
    torch.save(SOURCES[fmt](online, key), src)
    trust = fmt == 'pixpro'  # its checkpoint pickles argparse options
    assert detect_format(unwrap(torch.load(src, weights_only=not trust))) \
        == fmt
    report = convert_checkpoint(str(src), str(dst), trust_checkpoint=trust)
    assert report.source_format == fmt
    assert report.branch == TRANSFERRED[fmt]
    assert report.checked_against.startswith('loads completely')
    expected = online if report.branch == 'online' else key
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ours = _timm_from(dst)(x)[-1]
        theirs = _c5(expected, x)
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_resnet50_release_matches_torchvision(tmp_path):
    model = layouts.resnet(50, seed=2)
    torch.save(layouts.densecl_release(model), tmp_path / 'r50.pth')
    convert_checkpoint(str(tmp_path / 'r50.pth'), str(tmp_path / 'out.pth'))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ours = _timm_from(tmp_path / 'out.pth', 'resnet50')(x)[-1]
        assert torch.allclose(ours, _c5(model, x), atol=1e-5)


def test_heads_and_queues_are_reported_not_converted(nets, tmp_path):
    torch.save(layouts.openselfsup(*nets), tmp_path / 'full.pth')
    report = convert_checkpoint(str(tmp_path / 'full.pth'),
                                str(tmp_path / 'out.pth'))
    rest = report.not_converted
    assert rest['queue'] == rest['queue2'] == 1
    assert rest['encoder_k'] == len(layouts.encoder_keys(nets[1], '')) + 8
    assert 'encoder_q' in rest and rest['encoder_q'] == 8  # the neck only
    assert 'queue' in report.summary()


def test_teacher_branch_on_request_and_refused_without_one(nets, tmp_path):
    torch.save(layouts.mmselfsup(*nets, momentum='target_net.module.'),
               tmp_path / 'byol.pth')
    convert_checkpoint(str(tmp_path / 'byol.pth'), str(tmp_path / 'k.pth'),
                       branch='teacher')
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(_timm_from(tmp_path / 'k.pth')(x)[-1],
                              _c5(nets[1], x), atol=1e-5)
    torch.save(layouts.densecl_release(nets[0]), tmp_path / 'rel.pth')
    with pytest.raises(ValueError, match='one network'):
        convert_checkpoint(str(tmp_path / 'rel.pth'), str(tmp_path / 'x.pth'),
                           branch='teacher')


def test_other_layouts_load_where_they_say(nets, tmp_path):
    import timm
    import torchvision
    online = nets[0]
    torch.save(layouts.densecl_release(online), tmp_path / 'src.pth')
    for target in ('torchvision', 'timm', 'mm-resnet'):
        convert_checkpoint(str(tmp_path / 'src.pth'),
                           str(tmp_path / f'{target}.pth'), target=target)
    tv = torch.load(tmp_path / 'torchvision.pth', weights_only=True)
    model = torchvision.models.resnet18().eval()
    result = model.load_state_dict(tv['state_dict'], strict=False)
    assert sorted(result.missing_keys) == ['fc.bias', 'fc.weight']
    assert not result.unexpected_keys
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(_c5(model, x), _c5(online, x), atol=1e-6)
    tm = torch.load(tmp_path / 'timm.pth', weights_only=True)['state_dict']
    result = timm.create_model('resnet18').load_state_dict(tm, strict=False)
    assert sorted(result.missing_keys) == ['fc.bias', 'fc.weight']
    mm = torch.load(tmp_path / 'mm-resnet.pth', weights_only=True)
    assert set(mm['state_dict']) == {'backbone.' + k for k in tv['state_dict']}


def _detectron2_resnet_keys(blocks, bottleneck):
    """detectron2's ResNet parameter names, written from its structure
    (``stem.conv1`` + ``resN.i.convK`` with ``.norm`` and ``shortcut`` on
    each stage's first block), independently of the converter."""
    bn = ('weight', 'bias', 'running_mean', 'running_var')
    keys = {'stem.conv1.weight'} | {f'stem.conv1.norm.{p}' for p in bn}
    for stage, count in zip(range(2, 6), blocks):
        for i in range(count):
            convs = (1, 2, 3) if bottleneck else (1, 2)
            names = [f'conv{c}' for c in convs]
            if i == 0 and (bottleneck or stage > 2):
                names.append('shortcut')
            for name in names:
                keys.add(f'res{stage}.{i}.{name}.weight')
                keys |= {f'res{stage}.{i}.{name}.norm.{p}' for p in bn}
    return keys


def test_detectron2_pickle(tmp_path):
    from densessl.converters.keymaps import detectron2_to_torchvision
    model = layouts.resnet(50, seed=3)
    torch.save(layouts.densecl_release(model), tmp_path / 'src.pth')
    convert_checkpoint(str(tmp_path / 'src.pth'), str(tmp_path / 'd2.pkl'),
                       target='detectron2')
    with open(tmp_path / 'd2.pkl', 'rb') as f:
        data = pickle.load(f)
    assert data['matching_heuristics'] is True and '__author__' in data
    assert set(data['model']) == _detectron2_resnet_keys((3, 4, 6, 3), True)
    back = detectron2_to_torchvision(data['model'])
    own = {k: v for k, v in model.state_dict().items()
           if not k.startswith('fc.') and 'num_batches' not in k}
    assert set(back) == set(own)
    assert all(torch.equal(back[k], own[k]) for k in own)


def test_unknown_layout_lists_formats_and_keys(tmp_path):
    torch.save({'state_dict': {'weird.layer.weight': torch.zeros(2)}},
               tmp_path / 'x.pth')
    with pytest.raises(ValueError) as err:
        convert_checkpoint(str(tmp_path / 'x.pth'), str(tmp_path / 'y.pth'))
    text = str(err.value)
    assert 'weird.layer.weight' in text
    for fmt in ('openselfsup', 'pixpro', 'slotcon', 'point-cmae',
                'pointcontrast'):
        assert fmt in text
    assert not (tmp_path / 'y.pth').exists()


def test_untrusted_pickle_is_refused_with_the_flag_to_use(nets, tmp_path):
    torch.save(layouts.pixpro(*nets), tmp_path / 'pixpro.pth')
    with pytest.raises(ValueError, match='--trust-checkpoint'):
        convert_checkpoint(str(tmp_path / 'pixpro.pth'),
                           str(tmp_path / 'out.pth'))
    assert not (tmp_path / 'out.pth').exists()


def test_converted_weights_work_in_the_densessl_tools(nets, tmp_path):
    from densessl.apis import init_model
    from densessl.apis.transfer import check_pretrained
    from helpers import densecl_cfg
    from mmengine.config import Config
    torch.save(layouts.slotcon(*nets), tmp_path / 'slotcon.pth')
    convert_checkpoint(str(tmp_path / 'slotcon.pth'), str(tmp_path / 'o.pth'))
    assert check_pretrained(str(tmp_path / 'o.pth')) == 'backbone.'
    model = init_model(Config(dict(model=densecl_cfg())),
                       str(tmp_path / 'o.pth'))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():  # the similarity tool's path: mode='tensor'
        feats = model(x, mode='tensor')[-1]
        assert torch.allclose(feats, _c5(nets[1], x), atol=1e-5)


def test_cli(nets, tmp_path, capsys):
    from tools.convert_checkpoint import main
    torch.save(layouts.openselfsup(*nets), tmp_path / 'src.pth')
    main([str(tmp_path / 'src.pth'), str(tmp_path / 'out.pth'),
          '--to', 'mm-resnet'])
    out = capsys.readouterr().out
    assert 'openselfsup' in out and 'mm-resnet' in out and 'queue' in out
    with pytest.raises(SystemExit, match='error: .*not found'):
        main([str(tmp_path / 'missing.pth'), str(tmp_path / 'o.pth')])


def _same_pad(x, kernel, stride):
    """TF / haiku ``SAME`` padding (the extra pixel goes after)."""
    import torch.nn.functional as F
    pads = []
    for size in (x.shape[3], x.shape[2]):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=float('-inf') if kernel == 'pool' else 0.0)


def _haiku_forward(params, state, x, name='res_net50'):
    """An independent eval-mode forward of ``hk.nets.ResNet`` v1 (NCHW
    here) from haiku-named parameters, with SAME padding."""
    import torch.nn.functional as F

    def conv(path, x, stride):
        w = torch.from_numpy(params[path]['w']).permute(3, 2, 0, 1)
        return F.conv2d(_same_pad(x, w.shape[-1], stride), w, stride=stride)

    def bn(path, x):
        get = lambda d, k: torch.from_numpy(d[k]).reshape(1, -1, 1, 1)
        mean = get(state[path + '/~/mean_ema'], 'average')
        var = get(state[path + '/~/var_ema'], 'average')
        return (x - mean) / torch.sqrt(var + 1e-5) * \
            get(params[path], 'scale') + get(params[path], 'offset')

    x = F.relu(bn(f'{name}/~/initial_batchnorm',
                  conv(f'{name}/~/initial_conv', x, 2)))
    size = x.shape[-1]
    total = max((-(-size // 2) - 1) * 2 + 3 - size, 0)
    x = F.max_pool2d(F.pad(x, [total // 2, total - total // 2] * 2,
                           value=float('-inf')), 3, 2)
    for g in range(4):
        b = 0
        while f'{name}/~/block_group_{g}/~/block_{b}/~/conv_0' in params:
            path = f'{name}/~/block_group_{g}/~/block_{b}/~/'
            stride = 2 if g > 0 and b == 0 else 1
            shortcut = x
            if path + 'shortcut_conv' in params:
                shortcut = bn(path + 'shortcut_batchnorm',
                              conv(path + 'shortcut_conv', x, stride))
            out = x
            for i, s in enumerate((1, stride, 1)):  # bottleneck: stride on 3x3
                out = bn(f'{path}batchnorm_{i}', conv(f'{path}conv_{i}', out, s))
                if i < 2:
                    out = F.relu(out)
            x = F.relu(out + shortcut)
            b += 1
    return x


def test_detcon_jax_release_converts_and_computes_the_same_c5(tmp_path):
    import numpy as np
    online, target = layouts.resnet(50, seed=3), layouts.resnet(50, seed=4)
    release = layouts.detcon_release(online, target)
    src = tmp_path / 'resnet50_detcon_b_imagenet_1k.npy'
    np.save(src, release, allow_pickle=True)
    with pytest.raises(ValueError, match='--trust-checkpoint'):
        convert_checkpoint(str(src), str(tmp_path / 'x.pth'))
    for branch, wrapper in (('auto', 'online'), ('teacher', 'target')):
        dst = tmp_path / f'{branch}.pth'
        report = convert_checkpoint(str(src), str(dst), branch=branch,
                                    trust_checkpoint=True)
        assert report.source_format == 'detcon'
        if branch == 'auto':  # the projector, EMA counters / hidden stay
            assert report.not_converted['online_params'] == 2
            assert report.not_converted['online_state'] == 53 * 2 * 2
        backbone = _timm_from(dst, 'resnet50')
        # odd sizes at every stride-2 layer: SAME padding = symmetric here
        x = torch.randn(2, 3, 33, 33)
        with torch.no_grad():
            ours = backbone(x)[-1]
            ref = _haiku_forward(release[f'{wrapper}_params'],
                                 release[f'{wrapper}_state'], x)
        assert ours.shape == ref.shape == (2, 2048, 2, 2)
        scale = ref.abs().max()
        assert (ours - ref).abs().max() < 1e-5 * scale, (ours - ref).abs().max()
