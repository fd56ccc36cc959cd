"""Point-cloud data sets: the embedded procedural objects and point files on
disk (ShapeNet-55 / ModelNet-style layouts)."""
import glob
import os.path as osp
from typing import List, Optional, Sequence

from densessl.registry import DATASETS
from .base import SeededDataset
from .point_generator import (HARD_OBJECT_CLASSES, HARD_PART_NAMES,
                              OBJECT_CLASSES, PART_NAMES, generate_object)
from .point_io import MESH_EXTENSIONS, POINT_EXTENSIONS


@DATASETS.register_module()
class SyntheticObjectDataset(SeededDataset):
    """Embedded 3D objects (no download): ``generate_object(seed + i)``,
    with ``coord``, per-point ``part`` and the object ``label``.

    Args:
        num_objects: data set length.
        num_points: points generated per object (a subsample transform may
            take fewer).
        seed: seed of object 0.
        variant: ``'easy'`` (4 clean classes, solved from scratch) or
            ``'hard'`` (8 classes as noisy, cluttered partial scans; see
            ``generate_object``).
    """

    METAINFO = dict(classes=OBJECT_CLASSES, parts=PART_NAMES)

    def __init__(self, num_objects: int = 1000, num_points: int = 2048,
                 seed: int = 0, variant: str = 'easy',
                 pipeline: Sequence = (), **kwargs) -> None:
        if num_objects <= 0:
            raise ValueError(f'num_objects must be positive, got {num_objects}')
        self.num_objects = int(num_objects)
        self.num_points = int(num_points)
        self.seed = int(seed)
        self.variant = variant
        if variant == 'hard' and not kwargs.get('metainfo'):
            kwargs['metainfo'] = dict(classes=HARD_OBJECT_CLASSES,
                                      parts=HARD_PART_NAMES)
        super().__init__(pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        return [dict(seed=self.seed + i) for i in range(self.num_objects)]

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info.update(generate_object(info['seed'], self.num_points,
                                    self.variant))
        return info


@DATASETS.register_module()
class PointCloudFolderDataset(SeededDataset):
    """Point files under ``data_root/data_prefix`` (unlabelled, for
    pretraining), optionally restricted to the names in ``split_file``.

    ShapeNet-55 as Point-BERT / Point-MAE ship it:
    ``data_root='data/ShapeNet55-34', data_prefix='shapenet_pc',
    split_file='ShapeNet-55/train.txt'`` (lines like ``02691156-1a04e.npy``).
    Without a split file every ``.npy/.xyz/.txt/.pts/.ply/.pcd/.obj/.off/.stl``
    file below the folder is used (recursively).
    """

    def __init__(self, data_root: str, data_prefix: str = '',
                 split_file: Optional[str] = None, pipeline: Sequence = (),
                 **kwargs) -> None:
        self.split_file = split_file
        self.folder = osp.join(data_root, data_prefix)
        super().__init__(data_root=data_root, pipeline=list(pipeline),
                         serialize_data=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.folder):
            raise FileNotFoundError(f'point-cloud folder "{self.folder}" not '
                                    'found; check data_root / data_prefix')
        if self.split_file:
            split = osp.join(self.data_root, self.split_file)
            if not osp.isfile(split):
                raise FileNotFoundError(f'split file "{split}" not found')
            with open(split) as f:
                names = [line.strip() for line in f if line.strip()]
            paths = [osp.join(self.folder, n) for n in names]
        else:
            extensions = POINT_EXTENSIONS + MESH_EXTENSIONS
            paths = sorted(p for p in glob.glob(
                osp.join(self.folder, '**', '*'), recursive=True)
                if osp.splitext(p)[1].lower() in extensions)
        if not paths:
            raise ValueError(f'no point-cloud files found in "{self.folder}"')
        return [dict(pc_path=p) for p in paths]


class _OfficialLayoutDataset(SeededDataset):
    """A data set in a benchmark's own folder layout, one split of it."""

    LAYOUT = ''  # the folder name users download

    def __init__(self, data_root: str, split: str = 'train',
                 pipeline: Sequence = (), **kwargs) -> None:
        self.split = split
        super().__init__(data_root=data_root, pipeline=list(pipeline),
                         serialize_data=False, **kwargs)

    def _require(self, *files: str) -> None:
        for file in files:
            if not osp.isfile(file):
                raise FileNotFoundError(
                    f'"{file}" not found; data_root must be the {self.LAYOUT} '
                    'folder')


@DATASETS.register_module()
class ModelNet40Dataset(_OfficialLayoutDataset):
    """ModelNet40 as Point-MAE reads it (``modelnet40_normal_resampled``):
    ``modelnet40_shape_names.txt``, ``modelnet40_{split}.txt`` (names like
    ``airplane_0001``) and ``<class>/<name>.txt`` files with comma-separated
    ``x,y,z,nx,ny,nz`` rows. Gives ``coord`` and the class ``label``.

    Any class count reads the same way: ``modelnetK_shape_names.txt`` /
    ``modelnetK_{split}.txt`` (ModelNet10, …) or plain ``shape_names.txt``
    / ``{split}.txt`` are found by themselves; the classes come from the
    names file (``len(dataset.metainfo['classes'])``).
    """

    LAYOUT = 'modelnet40_normal_resampled'

    def _layout_files(self):
        """(names file, split file) of the first layout present."""
        import glob
        found = sorted(glob.glob(osp.join(self.data_root,
                                          'modelnet*_shape_names.txt')))
        prefixes = [osp.basename(f)[:-len('shape_names.txt')] for f in found]
        for prefix in prefixes + ['']:
            names = osp.join(self.data_root, f'{prefix}shape_names.txt')
            split = osp.join(self.data_root, f'{prefix}{self.split}.txt')
            if osp.isfile(names):
                return names, split
        return (osp.join(self.data_root, 'modelnet40_shape_names.txt'),
                osp.join(self.data_root, f'modelnet40_{self.split}.txt'))

    def load_data_list(self) -> List[dict]:
        names_file, split_file = self._layout_files()
        self._require(names_file, split_file)
        classes = _read_lines(names_file)
        self._metainfo['classes'] = tuple(classes)
        items = []
        for name in _read_lines(split_file):
            cls = name.rsplit('_', 1)[0]
            if cls not in classes:
                raise ValueError(f'"{name}" in {split_file}: unknown class '
                                 f'"{cls}"')
            items.append(dict(pc_path=osp.join(self.data_root, cls,
                                               name + '.txt'),
                              label=classes.index(cls)))
        return items


@DATASETS.register_module()
class ShapeNetPartDataset(_OfficialLayoutDataset):
    """ShapeNetPart as Point-MAE reads it
    (``shapenetcore_partanno_segmentation_benchmark_v0_normal``):
    ``synsetoffset2category.txt``, ``train_test_split/shuffled_{split}_file_list
    .json`` and ``<synset>/<id>.txt`` rows ``x y z nx ny nz part`` with global
    part ids (0-49). Gives ``coord``, ``part`` and the category ``label``.
    """

    LAYOUT = 'shapenetcore_partanno_segmentation_benchmark_v0_normal'

    def load_data_list(self) -> List[dict]:
        import json
        cat_file = osp.join(self.data_root, 'synsetoffset2category.txt')
        split_file = osp.join(self.data_root, 'train_test_split',
                              f'shuffled_{self.split}_file_list.json')
        self._require(cat_file, split_file)
        categories = [line.split() for line in _read_lines(cat_file)]
        synsets = [s for _, s in categories]
        self._metainfo['classes'] = tuple(c for c, _ in categories)
        with open(split_file) as f:
            entries = json.load(f)
        items = []
        for entry in entries:
            synset, shape = entry.split('/')[-2:]
            items.append(dict(pc_path=osp.join(self.data_root, synset,
                                               shape + '.txt'),
                              label=synsets.index(synset), has_part=True))
        return items


def _read_lines(path: str) -> List[str]:
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


#: ScanObjectNN's 15 classes in its label order (its ``shape_names.txt``)
SCANOBJECTNN_CLASSES = ('bag', 'bin', 'box', 'cabinet', 'chair', 'desk',
                        'display', 'door', 'shelf', 'table', 'bed', 'pillow',
                        'sink', 'sofa', 'toilet')


@DATASETS.register_module()
class ScanObjectNNDataset(SeededDataset):
    """ScanObjectNN as Point-MAE reads it: ``data_root`` is one of its split
    folders (``main_split`` for OBJ-BG / PB-T50-RS, ``main_split_nobg`` for
    OBJ-ONLY) holding ``{training,test}_objectdataset{suffix}.h5`` with
    ``data`` (``N x 2048 x 3``) and ``label``; ``variant='hardest'`` reads
    the ``_augmentedrot_scale75`` files (PB-T50-RS). Gives ``coord`` and the
    class ``label``; classes from a ``shape_names.txt`` beside the files,
    else ScanObjectNN's 15 names (numbers when the labels exceed them).
    Needs h5py (``pip install h5py``, in the ``3d`` extra)."""

    SUFFIX = {'plain': '', 'hardest': '_augmentedrot_scale75'}

    def __init__(self, data_root: str, split: str = 'train',
                 variant: str = 'hardest', pipeline: Sequence = (),
                 **kwargs) -> None:
        if variant not in self.SUFFIX:
            raise ValueError(f'variant must be one of {sorted(self.SUFFIX)},'
                             f' got "{variant}"')
        if split not in ('train', 'test'):
            raise ValueError(f'split must be train or test, got "{split}"')
        self.split, self.variant = split, variant
        super().__init__(data_root=data_root, pipeline=list(pipeline),
                         serialize_data=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        from densessl.utils.optional import require
        h5py = require('h5py', 'reading ScanObjectNN')
        prefix = 'training' if self.split == 'train' else 'test'
        path = osp.join(self.data_root, f'{prefix}_objectdataset'
                        f'{self.SUFFIX[self.variant]}.h5')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'"{path}" not found; data_root must be a ScanObjectNN split '
                'folder (main_split or main_split_nobg)')
        with h5py.File(path, 'r') as f:
            points = f['data'][:].astype('float32')
            labels = f['label'][:].reshape(-1).astype('int64')
        if points.ndim != 3 or points.shape[-1] < 3 or \
                len(points) != len(labels):
            raise ValueError(f'"{path}": expected data N x P x 3 and N '
                             f'labels, got {points.shape} and {len(labels)}')
        names = osp.join(self.data_root, 'shape_names.txt')
        if osp.isfile(names):
            classes = tuple(_read_lines(names))
        elif labels.max() < len(SCANOBJECTNN_CLASSES):
            classes = SCANOBJECTNN_CLASSES
        else:
            classes = tuple(str(i) for i in range(int(labels.max()) + 1))
        self._metainfo['classes'] = classes
        return [dict(coord=p[:, :3], label=int(y))
                for p, y in zip(points, labels)]
