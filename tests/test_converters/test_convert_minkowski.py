"""A converted PointContrast Res16UNet on densessl's built-in sparse conv
equals the source network run by MinkowskiEngine itself.

The source network is built here from MinkowskiEngine modules under the
official names (``conv0p1s1``, ``bn0``, ``block1..8``, ``convtr*``,
``final``) and loads the fixture strictly, so the fixture's key list and
shapes are those of a real ME Res16UNet. Runs where MinkowskiEngine is
installed (``bash tools/install.sh --minkowski``, as ``.ci/run`` does)."""
import warnings

import pytest
import torch
from torch import nn

import official_3d_layouts as layouts
from densessl.converters import convert_checkpoint
from densessl.models.sparse import SparseTensor
from helpers import random_sites

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    ME = pytest.importorskip('MinkowskiEngine',
                             reason='optional: bash tools/install_minkowski.sh')


class _Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = ME.MinkowskiConvolution(cin, cout, 3, dimension=3)
        self.norm1 = ME.MinkowskiBatchNorm(cout)
        self.conv2 = ME.MinkowskiConvolution(cout, cout, 3, dimension=3)
        self.norm2 = ME.MinkowskiBatchNorm(cout)
        self.relu = ME.MinkowskiReLU()
        self.downsample = None if cin == cout else nn.Sequential(
            ME.MinkowskiConvolution(cin, cout, 1, dimension=3),
            ME.MinkowskiBatchNorm(cout))

    def forward(self, x):
        out = self.norm2(self.conv2(self.relu(self.norm1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None
                                else self.downsample(x)))


class Res16UNet(nn.Module):
    """PointContrast's Res16UNetBase forward, on MinkowskiEngine."""

    def __init__(self, cin, cout, planes, layers, init_dim, k0):
        super().__init__()

        def stage(c_in, c_out, n):
            return nn.Sequential(*[_Block(c_in if i == 0 else c_out, c_out)
                                   for i in range(n)])

        self.conv0p1s1 = ME.MinkowskiConvolution(cin, init_dim, k0,
                                                 dimension=3)
        self.bn0 = ME.MinkowskiBatchNorm(init_dim)
        c, skips = init_dim, [init_dim]
        for i in range(4):
            setattr(self, f'conv{i + 1}p{2 ** i}s2', ME.MinkowskiConvolution(
                c, c, 2, stride=2, dimension=3))
            setattr(self, f'bn{i + 1}', ME.MinkowskiBatchNorm(c))
            setattr(self, f'block{i + 1}', stage(c, planes[i], layers[i]))
            c = planes[i]
            skips.append(c)
        for i in range(4):
            setattr(self, f'convtr{4 + i}p{2 ** (4 - i)}s2',
                    ME.MinkowskiConvolutionTranspose(c, planes[4 + i], 2,
                                                     stride=2, dimension=3))
            setattr(self, f'bntr{4 + i}', ME.MinkowskiBatchNorm(planes[4 + i]))
            setattr(self, f'block{5 + i}', stage(
                planes[4 + i] + skips[3 - i], planes[4 + i], layers[4 + i]))
            c = planes[4 + i]
        self.final = ME.MinkowskiConvolution(c, cout, 1, bias=True,
                                             dimension=3)
        self.relu = ME.MinkowskiReLU()

    def forward(self, x):
        out = self.relu(self.bn0(self.conv0p1s1(x)))
        skips = [out]
        for i in range(4):
            down = getattr(self, f'conv{i + 1}p{2 ** i}s2')
            out = self.relu(getattr(self, f'bn{i + 1}')(down(out)))
            out = getattr(self, f'block{i + 1}')(out)
            skips.append(out)
        skips.pop()
        for i in range(4):
            up = getattr(self, f'convtr{4 + i}p{2 ** (4 - i)}s2')
            out = self.relu(getattr(self, f'bntr{4 + i}')(up(out)))
            out = getattr(self, f'block{5 + i}')(ME.cat(out, skips.pop()))
        return self.final(out)


def _by_site(coords, feats):
    order = sorted(range(len(coords)), key=lambda i: tuple(coords[i].tolist()))
    return feats[order]


@pytest.mark.parametrize('depth, planes, init_dim, k0', [
    (14, (16, 16, 24, 24, 24, 16, 16, 16), 8, 3),
    (34, (8, 16, 16, 16, 16, 16, 8, 8), 8, 5)])
def test_converted_res16unet_equals_minkowski_engine(depth, planes, init_dim,
                                                     k0, tmp_path):
    from densessl.models.backbones import MinkUNet
    from densessl.models.backbones.mink_unet import DEPTHS
    ckpt = layouts.res16unet(in_channels=3, out_channels=6, planes=planes,
                             layers=DEPTHS[depth], init_dim=init_dim,
                             conv1_kernel=k0, seed=1)
    source = Res16UNet(3, 6, planes, DEPTHS[depth], init_dim, k0).eval()
    source.load_state_dict(ckpt['state_dict'], strict=True)
    torch.save(ckpt, tmp_path / 'src.pth')
    report = convert_checkpoint(str(tmp_path / 'src.pth'),
                                str(tmp_path / 'out.pth'))
    assert f'depth={depth}' in report.model_hint
    state = torch.load(tmp_path / 'out.pth', weights_only=True)['state_dict']
    model = MinkUNet(in_channels=3, out_channels=6, depth=depth,
                     planes=planes, stem_channels=init_dim,
                     stem_kernel_size=k0).eval()
    model.load_state_dict({k[len('backbone.'):]: v for k, v in state.items()},
                          strict=True)
    x = random_sites(n=500, size=24, channels=3, seed=3)
    with torch.no_grad():
        ours = model(SparseTensor(x.feats, x.coords)).feats
        out = source(ME.SparseTensor(x.feats, coordinates=x.coords.int()))
    assert torch.allclose(_by_site(x.coords, ours), _by_site(out.C, out.F),
                          atol=1e-4)
