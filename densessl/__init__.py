"""densessl: self-supervised dense and 3D representation learning.

``import densessl`` is light: it imports no optional heavy package (mmseg,
mmdet, MinkowskiEngine, spconv, open3d). Submodules register their classes in
:mod:`densessl.registry` when imported; configs resolve them lazily.
"""
from .version import __version__

__all__ = ['__version__']
