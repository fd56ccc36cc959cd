from .base import SeededDataset
from .image_folder import ImageFolderDataset
from .point_datasets import (ModelNet40Dataset, PointCloudFolderDataset,
                             ScanObjectNNDataset, ShapeNetPartDataset,
                             SyntheticObjectDataset)
from .point_scene_datasets import PointSceneFolderDataset, SyntheticRoomDataset
from .room_generator import ROOM_CLASSES, generate_room
from .point_generator import OBJECT_CLASSES, PART_NAMES, generate_object
from .samplers import SampleIndex, SeededSampler
from .scene_dataset import SceneDataset
from .photo_scenes import PHOTO_CLASSES, generate_photo_scene
from .scene_generator import SCENE_CLASSES, generate_scene
from .scene_sources import SCENE_SOURCES, scene_arrays
from .transforms import *  # noqa: F401,F403

__all__ = ['SeededDataset', 'SeededSampler', 'SampleIndex',
           'ImageFolderDataset', 'SceneDataset', 'SCENE_CLASSES',
           'generate_scene', 'scene_arrays', 'PHOTO_CLASSES',
           'generate_photo_scene', 'SCENE_SOURCES', 'PointCloudFolderDataset',
           'SyntheticObjectDataset', 'OBJECT_CLASSES', 'PART_NAMES',
           'generate_object', 'ModelNet40Dataset', 'ScanObjectNNDataset',
           'ShapeNetPartDataset',
           'PointSceneFolderDataset', 'SyntheticRoomDataset', 'ROOM_CLASSES',
           'generate_room']
