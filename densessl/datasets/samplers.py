"""A sampler whose indices carry a seed for the sample's augmentations."""
from typing import Iterator

from mmengine.dataset import DefaultSampler

from densessl.registry import DATA_SAMPLERS
from densessl.utils.random import derived_seed


class SampleIndex(int):
    """A data-set index that also names the seed of its random views."""

    def __new__(cls, index: int, seed: int):
        obj = super().__new__(cls, index)
        obj.seed = seed
        return obj

    def __reduce__(self):  # survives the trip to data-loader workers
        return SampleIndex, (int(self), self.seed)


@DATA_SAMPLERS.register_module()
class SeededSampler(DefaultSampler):
    """MMEngine's ``DefaultSampler`` (same order, same arguments) whose
    indices carry a seed derived from (sampler seed, epoch, position in the
    epoch). Data sets built on :class:`~densessl.datasets.base.SeededDataset`
    draw each sample's crops, flips and jitter from that seed, so the views
    depend on neither the data-loader workers nor where a run was resumed:
    a resumed run sees exactly the views an uninterrupted one would have."""

    def __iter__(self) -> Iterator[int]:
        for step, index in enumerate(super().__iter__()):
            position = self.rank + step * self.world_size
            yield SampleIndex(index,
                              derived_seed(self.seed, self.epoch, position))
