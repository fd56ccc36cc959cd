from .geometric import RandomFlipCoord, RandomResizedCropCoord
from .loading import LoadImageFromFile
from .multiview import MultiView, PackMultiViewInputs
from .point import (FarthestPointSubsample, GridSample, LoadPointCloud,
                    NormalizeToUnitSphere, PackPointInputs,
                    PointScaleAndTranslate, RandomPointSubsample)
from .point_scene import (CenterShift, ChromaticJitter, PackSparsePointInputs,
                          PointFeatures, PointMultiView, RandomFlip3d,
                          RandomJitter, RandomRotate, RandomScale, SphereCrop)
from .region_masks import LoadRegionMasks
from .photometric import (ColorJitter, RandomGaussianBlur, RandomGrayscale,
                          RandomSolarize)

__all__ = [
    'RandomFlipCoord', 'RandomResizedCropCoord', 'LoadImageFromFile',
    'MultiView', 'PackMultiViewInputs', 'ColorJitter', 'RandomGaussianBlur',
    'RandomGrayscale', 'RandomSolarize', 'GridSample', 'LoadPointCloud',
    'NormalizeToUnitSphere', 'PackPointInputs', 'PointScaleAndTranslate',
    'RandomPointSubsample', 'FarthestPointSubsample', 'CenterShift', 'ChromaticJitter',
    'PackSparsePointInputs', 'PointFeatures', 'PointMultiView', 'RandomFlip3d',
    'RandomJitter', 'RandomRotate', 'RandomScale', 'SphereCrop',
    'LoadRegionMasks'
]
