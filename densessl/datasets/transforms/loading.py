import warnings
from typing import Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

from densessl.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageFromFile:
    """Read ``results['img_path']`` into ``results['img']`` (RGB PIL image).

    Args:
        on_error: ``'skip'`` (default) warns once per file and returns None,
            which makes MMEngine's data set draw another image, so one bad
            file does not stop a long run; ``'raise'`` stops with an error
            naming the file.
        min_size: images with a side shorter than this are used but
            counted, with a warning naming the first and then at every
            doubling of the count (their crops are upsampled to flat
            patches: usually a thumbnail or a broken export).
    """

    def __init__(self, on_error: str = 'skip', min_size: int = 32) -> None:
        if on_error not in ('skip', 'raise'):
            raise ValueError(f'on_error must be "skip" or "raise", got '
                             f'"{on_error}"')
        self.on_error = on_error
        self.min_size = min_size
        self._reported = set()
        self._tiny = set()

    def __call__(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            with Image.open(path) as img:
                img = img.convert('RGB')
        except (OSError, UnidentifiedImageError, ValueError) as err:
            message = (f'Cannot read image "{path}" ({type(err).__name__}: '
                       f'{err}). Remove or replace the file.')
            if self.on_error == 'raise':
                raise OSError(message) from err
            if path not in self._reported:
                self._reported.add(path)
                warnings.warn(message + ' It is skipped.')
            return None
        if min(img.size) < self.min_size and path not in self._tiny:
            self._tiny.add(path)
            count = len(self._tiny)
            if count & (count - 1) == 0:  # 1, 2, 4, 8, ...
                warnings.warn(
                    f'{count} image(s) seen so far with a side under '
                    f'{self.min_size} px (this one: "{path}", '
                    f'{img.width}x{img.height}); their crops are upsampled '
                    'into flat patches. Remove them, or set LoadImageFromFile'
                    '(min_size=...) to silence this.')
        results['img'] = img
        results['ori_shape'] = (img.height, img.width)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(on_error={self.on_error!r}, '
                f'min_size={self.min_size})')


def to_pil(img) -> Image.Image:
    """Accept a PIL image or an ``H x W x 3`` uint8 array."""
    if isinstance(img, Image.Image):
        return img
    return Image.fromarray(np.ascontiguousarray(img))
