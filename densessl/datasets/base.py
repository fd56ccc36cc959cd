"""The base of densessl's data sets: MMEngine's ``BaseDataset`` whose
random augmentations follow the seed a :class:`SeededSampler` index
carries."""
from mmengine.dataset import BaseDataset

from densessl.utils.random import isolated_rng


class SeededDataset(BaseDataset):
    """``BaseDataset`` that runs the pipeline with the global generators
    seeded by ``index.seed`` when the index has one (a
    :class:`~densessl.datasets.samplers.SampleIndex`), and restores them
    afterwards; a plain ``int`` index draws from the running streams as
    before."""

    def __getitem__(self, idx: int) -> dict:
        with isolated_rng(getattr(idx, 'seed', None)):
            return super().__getitem__(int(idx))
