"""tools/benchmark.py: the MMPretrain peer is configured as densessl's
methods are, and times side by side."""
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import benchmark  # noqa: E402


def test_peer_configs_mirror_densessl_settings():
    ours = benchmark.method_cfgs('resnet50')
    peers = benchmark.peer_cfgs(ours)
    assert set(peers) == {'densecl', 'mocov2'}
    for name, peer in peers.items():
        mine = ours[name]
        assert peer['backbone']['model_name'] == 'resnet50'
        assert peer['queue_len'] == mine['queue_len'] == 65536
        assert peer['feat_dim'] == mine['feat_dim'] == 128
        assert peer['head']['temperature'] == mine['head']['temperature']
        assert peer['momentum'] == pytest.approx(1 - mine['ema_decay'])
        assert peer['neck']['hid_channels'] == mine['neck']['hid_channels']
        assert peer['neck']['out_channels'] == mine['neck']['out_channels']
    assert peers['densecl']['type'] == 'DenseCL'
    assert peers['densecl']['loss_lambda'] == ours['densecl']['head'][
        'loss_lambda']
    assert peers['mocov2']['neck']['type'] == 'MoCoV2Neck'


def test_missing_peer_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'mmpretrain', None)
    monkeypatch.setitem(sys.modules, 'mmpretrain.registry', None)
    with pytest.raises(ImportError, match='tools/install.sh'):
        benchmark.build_peer(benchmark.peer_cfgs(
            benchmark.method_cfgs('resnet18'))['mocov2'], 512)


def test_peer_runs_side_by_side():
    pytest.importorskip('mmpretrain')  # installed by tools/install.sh --transfer
    proc = subprocess.run(
        [sys.executable, 'tools/benchmark.py', '--backbone', 'resnet18',
         '--size', '32', '--batch', '4', '--steps', '1', '--methods',
         'mocov2', 'densecl', '--peer', 'mmpretrain', '--pipeline-images',
         '0'], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'densecl    fp32 [mmpretrain]' in proc.stdout
    assert 'ratio densecl densessl/mmpretrain:' in proc.stdout
    assert 'ratio mocov2 densessl/mmpretrain:' in proc.stdout


def test_minkowski_profile_groups_own_time_by_origin():
    import types
    import benchmark_3d
    row = lambda own: (1, 1, own, own, {})  # noqa: E731
    stats = types.SimpleNamespace(stats={
        ('~', 0, "<built-in method MinkowskiEngineBackend._C."
         "ConvolutionForwardCPU>"): row(2.0),
        ('/x/MinkowskiEngine/MinkowskiConvolution.py', 1, 'forward'):
            row(0.5),
        ('/repo/densessl/models/sparse/minkowski_backend.py', 9,
         'minkowski_conv'): row(0.25),
        ('/venv/torch/nn/functional.py', 3, 'batch_norm'): row(0.125),
        ('/usr/lib/python3.11/abc.py', 4, '__instancecheck__'): row(0.0625)})
    groups = benchmark_3d.profile_groups(stats)
    assert groups == {'ME kernels': 2.0, 'ME python': 0.5, 'densessl': 0.25,
                      'torch': 0.125, 'other': 0.0625}
