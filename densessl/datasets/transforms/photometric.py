"""Photometric view transforms (PIL), as the MoCo-v2 / BYOL pipelines."""
import random

from PIL import ImageFilter, ImageOps
from torchvision.transforms import ColorJitter as _TVColorJitter
from torchvision.transforms import functional as TF

from densessl.registry import TRANSFORMS
from .loading import to_pil


class _RandomApply:
    """Base: apply ``self.apply(img)`` with probability ``prob``."""

    def __init__(self, prob: float) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def apply(self, img):
        raise NotImplementedError

    def __call__(self, results: dict) -> dict:
        if random.random() < self.prob:
            results['img'] = self.apply(to_pil(results['img']))
        return results

    def __repr__(self) -> str:
        params = ', '.join(f'{k}={v!r}' for k, v in vars(self).items()
                           if not k.startswith('_'))
        return f'{type(self).__name__}({params})'


@TRANSFORMS.register_module()
class ColorJitter(_RandomApply):
    """``RandomApply(ColorJitter(b, c, s, h), p=prob)`` of torchvision."""

    def __init__(self, brightness: float = 0.4, contrast: float = 0.4,
                 saturation: float = 0.4, hue: float = 0.1,
                 prob: float = 0.8) -> None:
        super().__init__(prob)
        self.brightness, self.contrast = brightness, contrast
        self.saturation, self.hue = saturation, hue
        self._jitter = _TVColorJitter(brightness, contrast, saturation, hue)

    def apply(self, img):
        return self._jitter(img)


@TRANSFORMS.register_module()
class RandomGrayscale(_RandomApply):
    """Grayscale kept as 3 channels (torchvision's RandomGrayscale)."""

    def __init__(self, prob: float = 0.2) -> None:
        super().__init__(prob)

    def apply(self, img):
        return TF.rgb_to_grayscale(img, num_output_channels=3)


@TRANSFORMS.register_module()
class RandomGaussianBlur(_RandomApply):
    """PIL Gaussian blur with ``radius = sigma ~ U[sigma_min, sigma_max]``
    (the MoCo-v2 / BYOL blur; not torchvision's kernel-size blur)."""

    def __init__(self, sigma_min: float = 0.1, sigma_max: float = 2.0,
                 prob: float = 0.5) -> None:
        super().__init__(prob)
        self.sigma_min, self.sigma_max = sigma_min, sigma_max

    def apply(self, img):
        sigma = random.uniform(self.sigma_min, self.sigma_max)
        return img.filter(ImageFilter.GaussianBlur(radius=sigma))


@TRANSFORMS.register_module()
class RandomSolarize(_RandomApply):
    """PIL ``ImageOps.solarize`` (threshold 128) with probability ``prob``."""

    def __init__(self, threshold: int = 128, prob: float = 0.2) -> None:
        super().__init__(prob)
        self.threshold = threshold

    def apply(self, img):
        return ImageOps.solarize(img, self.threshold)
