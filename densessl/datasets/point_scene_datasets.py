"""Scene-level point data: the embedded rooms and ScanNet-style per-scene
``.npy`` folders (Pointcept's preprocessed layout)."""
import glob
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np

from densessl.registry import DATASETS
from .base import SeededDataset
from .point_io import check_points
from .room_generator import ROOM_CLASSES, generate_room


@DATASETS.register_module()
class SyntheticRoomDataset(SeededDataset):
    """Embedded indoor scenes (no download): ``generate_room(seed + i)`` with
    ``coord``, ``color`` (in [0, 1]), ``segment`` and ``instance``.

    Args:
        num_scenes: data set length.
        num_points: points per scene before voxelisation.
        seed: seed of scene 0 (use different seeds for train and val).
    """

    METAINFO = dict(classes=ROOM_CLASSES)

    def __init__(self, num_scenes: int = 200, num_points: int = 20000,
                 seed: int = 0, pipeline: Sequence = (), **kwargs) -> None:
        if num_scenes <= 0:
            raise ValueError(f'num_scenes must be positive, got {num_scenes}')
        self.num_scenes, self.num_points = int(num_scenes), int(num_points)
        self.seed = int(seed)
        super().__init__(pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        return [dict(seed=self.seed + i) for i in range(self.num_scenes)]

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info.update(generate_room(info['seed'], self.num_points))
        return info


@DATASETS.register_module()
class PointSceneFolderDataset(SeededDataset):
    """Scenes stored one folder each, as Pointcept preprocesses ScanNet /
    S3DIS: ``data_root/split/<scene>/coord.npy`` (``N x 3``) with optional
    ``color.npy`` (``N x 3``, 0-255 or 0-1), ``normal.npy`` and a label file
    (``segment_file``, e.g. ``segment20.npy`` for ScanNet-20; ``-1`` or
    ``ignore_index`` marks unlabelled points). Colours above 1 are divided by
    255 so every source gives colours in [0, 1].

    A scene with an empty, NaN or mis-sized array raises a ``ValueError``
    naming the file, when it is loaded.
    """

    def __init__(self, data_root: str, split: str = 'train',
                 segment_file: Optional[str] = 'segment20.npy',
                 classes: Optional[Sequence[str]] = None,
                 pipeline: Sequence = (), **kwargs) -> None:
        self.split, self.segment_file = split, segment_file
        metainfo = kwargs.pop('metainfo', None) or (
            dict(classes=tuple(classes)) if classes else None)
        super().__init__(data_root=data_root, pipeline=list(pipeline),
                         metainfo=metainfo, serialize_data=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        folder = osp.join(self.data_root, self.split)
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'scene folder "{folder}" not found; expected data_root/'
                f'{self.split}/<scene>/coord.npy')
        scenes = sorted(osp.dirname(p) for p in glob.glob(
            osp.join(folder, '*', 'coord.npy')))
        if not scenes:
            raise ValueError(f'no scenes (<scene>/coord.npy) in "{folder}"')
        return [dict(scene_path=p, scene=osp.basename(p)) for p in scenes]

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        path = info['scene_path']
        coord = check_points(np.load(osp.join(path, 'coord.npy')),
                             f'"{path}/coord.npy"')[:, :3]
        info['coord'] = coord
        for name in ('color', 'normal'):
            file = osp.join(path, f'{name}.npy')
            if osp.isfile(file):
                value = np.load(file).astype(np.float32)
                if value.shape != coord.shape:
                    raise ValueError(f'"{file}" has shape {value.shape}, '
                                     f'coord.npy {coord.shape}')
                if name == 'color' and value.max() > 1:
                    value = value / 255
                info[name] = value
        if self.segment_file:
            file = osp.join(path, self.segment_file)
            if osp.isfile(file):
                segment = np.load(file).reshape(-1).astype(np.int64)
                if len(segment) != len(coord):
                    raise ValueError(f'"{file}" has {len(segment)} labels for '
                                     f'{len(coord)} points')
                info['segment'] = np.where(segment < 0, 255, segment)
        return info
