"""MinkUNet (MinkowskiEngine's ``examples/minkunet.py`` layout) on densessl's
sparse layers, so it runs on the built-in backend (CPU/GPU, training) or
spconv (forward)."""
from typing import List, Optional, Sequence

from mmengine.model import BaseModule
from torch import nn

from densessl.models.sparse import (SparseBatchNorm, SparseConv3d, SparseReLU,
                                    SparseTensor, sparse_cat)
from densessl.registry import MODELS

DEPTHS = {14: (1, 1, 1, 1, 1, 1, 1, 1), 18: (2, 2, 2, 2, 2, 2, 2, 2),
          34: (2, 3, 4, 6, 2, 2, 2, 2)}


class ConvBNReLU(nn.Module):
    def __init__(self, cin, cout, kernel_size=3, stride=1, transposed=False,
                 backend='builtin'):
        super().__init__()
        self.conv = SparseConv3d(cin, cout, kernel_size, stride,
                                 transposed=transposed, backend=backend)
        self.bn = SparseBatchNorm(cout)
        self.relu = SparseReLU()

    def forward(self, x: SparseTensor, out_coords=None) -> SparseTensor:
        return self.relu(self.bn(self.conv(x, out_coords)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, backend='builtin'):
        super().__init__()
        self.conv1 = SparseConv3d(cin, cout, 3, backend=backend)
        self.bn1 = SparseBatchNorm(cout)
        self.conv2 = SparseConv3d(cout, cout, 3, backend=backend)
        self.bn2 = SparseBatchNorm(cout)
        self.relu = SparseReLU()
        self.downsample = None
        if cin != cout:
            self.downsample = nn.ModuleList([
                SparseConv3d(cin, cout, 1, backend=backend),
                SparseBatchNorm(cout)])

    def forward(self, x: SparseTensor) -> SparseTensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x
        if self.downsample is not None:
            identity = self.downsample[1](self.downsample[0](x))
        return self.relu(out.replace(out.feats + identity.feats))


def _stage(cin, cout, depth, backend):
    return nn.Sequential(*[BasicBlock(cin if i == 0 else cout, cout, backend)
                           for i in range(depth)])


@MODELS.register_module()
class MinkUNet(BaseModule):
    """Sparse U-Net: stem (``stem_kernel_size``, 5 as MinkowskiEngine's
    MinkUNet; PointContrast's Res16UNet uses 3), 4 x (k2 s2 down + residual
    blocks), 4 x (k2 s2 transposed up + skip concat + blocks), final 1x1
    conv.

    ``forward`` takes a :class:`SparseTensor` (``feats`` N x in_channels at
    ``coords`` N x 4) and returns per-site features ``N x out_channels`` in
    the input's site order.

    Args:
        depth: 14, 18 or 34 (blocks per stage as MinkowskiEngine's
            MinkUNet14/18/34).
        planes: the 8 stage widths.
        backend: ``'builtin'``, ``'spconv'`` or ``'minkowski'`` (see
            ``SparseConv3d``).
    """

    def __init__(self, in_channels: int = 3, out_channels: int = 96,
                 depth: int = 14,
                 planes: Sequence[int] = (32, 64, 128, 256, 256, 128, 96, 96),
                 stem_channels: int = 32, stem_kernel_size: int = 5,
                 backend: str = 'builtin',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in DEPTHS:
            raise ValueError(f'depth must be one of {sorted(DEPTHS)}')
        layers = DEPTHS[depth]
        self.stem = ConvBNReLU(in_channels, stem_channels, stem_kernel_size,
                               backend=backend)
        self.down = nn.ModuleList()
        self.enc = nn.ModuleList()
        cin = stem_channels
        skips = [stem_channels]
        for i in range(4):
            self.down.append(ConvBNReLU(cin, cin, 2, 2, backend=backend))
            self.enc.append(_stage(cin, planes[i], layers[i], backend))
            cin = planes[i]
            skips.append(cin)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in range(4):
            self.up.append(ConvBNReLU(cin, planes[4 + i], 2, 2,
                                      transposed=True, backend=backend))
            skip = skips[3 - i]
            self.dec.append(_stage(planes[4 + i] + skip, planes[4 + i],
                                   layers[4 + i], backend))
            cin = planes[4 + i]
        self.final = SparseConv3d(cin, out_channels, 1, bias=True,
                                  backend=backend)
        self.out_channels = out_channels
        #: widths of ``forward_levels``, fine to coarse
        self.level_channels = (out_channels, planes[6], planes[5], planes[4],
                               planes[3])

    def forward(self, x: SparseTensor) -> SparseTensor:
        return self.forward_levels(x)[0]

    def forward_levels(self, x: SparseTensor) -> List[SparseTensor]:
        """Every decoder level, fine to coarse: the output (stride 1, the
        feature the pretraining shapes), the decoder stages at strides 2, 4
        and 8, and the bottleneck (stride 16), as the Masked Scene Modeling
        protocol reads a U-Net (``level_channels`` gives their widths)."""
        out = self.stem(x)
        skips = [out]
        for down, enc in zip(self.down, self.enc):
            out = enc(down(out))
            skips.append(out)
        levels = [skips.pop()]  # the bottleneck is not a skip
        for up, dec in zip(self.up, self.dec):
            skip = skips.pop()
            out = dec(sparse_cat(up(out, out_coords=skip.coords), skip))
            levels.append(out)
        levels[-1] = self.final(out)
        return levels[::-1]
