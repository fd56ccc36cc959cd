from typing import Sequence

from mmengine.dataset import Compose

from densessl.registry import TRANSFORMS


def build_pipeline(steps: Sequence) -> Compose:
    """A pipeline of transform configs (or built transforms), built by
    densessl's registry so that plain names resolve even without the
    densessl default scope (as inside an mmseg / mmdet config)."""
    return Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t
                    for t in steps])
