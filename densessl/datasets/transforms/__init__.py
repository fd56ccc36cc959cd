from .geometric import RandomFlipCoord, RandomResizedCropCoord
from .loading import LoadImageFromFile
from .multiview import MultiView, PackMultiViewInputs
from .point import (GridSample, LoadPointCloud, NormalizeToUnitSphere, PackPointInputs,
                    PointScaleAndTranslate, RandomPointSubsample)
from .photometric import (ColorJitter, RandomGaussianBlur, RandomGrayscale,
                          RandomSolarize)

__all__ = [
    'RandomFlipCoord', 'RandomResizedCropCoord', 'LoadImageFromFile',
    'MultiView', 'PackMultiViewInputs', 'ColorJitter', 'RandomGaussianBlur',
    'RandomGrayscale', 'RandomSolarize', 'GridSample', 'LoadPointCloud',
    'NormalizeToUnitSphere', 'PackPointInputs', 'PointScaleAndTranslate',
    'RandomPointSubsample'
]
