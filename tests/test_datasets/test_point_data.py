"""Point-cloud IO round trips, clear errors on bad clouds, transforms, the
embedded 3D objects and the folder data set."""
import numpy as np
import pytest
import torch

from densessl.datasets import (OBJECT_CLASSES, PART_NAMES,
                               PointCloudFolderDataset,
                               SyntheticObjectDataset, generate_object)
from densessl.datasets.point_io import read_point_cloud, write_point_cloud
from densessl.datasets.transforms import (NormalizeToUnitSphere,
                                          PackPointInputs,
                                          PointScaleAndTranslate,
                                          RandomPointSubsample)


@pytest.mark.parametrize('ext', ['.npy', '.xyz', '.ply', '.pcd'])
def test_write_read_round_trip(tmp_path, ext):
    coord = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    path = write_point_cloud(str(tmp_path / f'cloud{ext}'), coord)
    back = read_point_cloud(path)
    assert back.shape == (100, 3)
    assert np.allclose(back, coord, atol=1e-5)


def test_mesh_is_sampled_by_area(tmp_path):
    # a unit square in the z = 0 plane as two triangles
    (tmp_path / 'square.obj').write_text(
        'v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3\nf 1 3 4\n')
    pts = read_point_cloud(str(tmp_path / 'square.obj'), mesh_points=500)
    assert pts.shape == (500, 3)
    assert np.allclose(pts[:, 2], 0) and pts[:, :2].min() >= 0
    assert pts[:, :2].max() <= 1
    assert abs(pts[:, 0].mean() - 0.5) < 0.1  # spread over the whole area


def test_bad_clouds_give_clear_errors(tmp_path):
    np.save(tmp_path / 'empty.npy', np.zeros((0, 3)))
    with pytest.raises(ValueError, match='empty'):
        read_point_cloud(str(tmp_path / 'empty.npy'))
    bad = np.ones((5, 3))
    bad[2, 1] = np.nan
    np.save(tmp_path / 'nan.npy', bad)
    with pytest.raises(ValueError, match='1 points with NaN or infinite'):
        read_point_cloud(str(tmp_path / 'nan.npy'))
    np.save(tmp_path / 'flat.npy', np.ones((5, 2)))
    with pytest.raises(ValueError, match='N x 3'):
        read_point_cloud(str(tmp_path / 'flat.npy'))
    with pytest.raises(FileNotFoundError):
        read_point_cloud(str(tmp_path / 'missing.ply'))
    (tmp_path / 'c.las').write_text('x')
    with pytest.raises(ValueError, match='unsupported'):
        read_point_cloud(str(tmp_path / 'c.las'))
    few = dict(coord=np.ones((10, 3)))
    with pytest.raises(ValueError, match='fewer than the 20'):
        RandomPointSubsample(20)(few)
    out = RandomPointSubsample(20, allow_repeat=True)(dict(
        coord=np.arange(30.).reshape(10, 3)))
    assert out['coord'].shape == (20, 3)


def test_transforms():
    rng = np.random.default_rng(1)
    coord = rng.normal(size=(300, 3)) * 4 + 7
    part = np.arange(300)
    out = RandomPointSubsample(100)(dict(coord=coord.copy(), part=part))
    # a subset without repeats, labels kept aligned with their points
    assert len(set(out['part'].tolist())) == 100
    assert np.array_equal(out['coord'], coord[out['part']])
    out = NormalizeToUnitSphere()(out)
    assert np.allclose(out['coord'].mean(0), 0, atol=1e-9)
    assert np.isclose(np.linalg.norm(out['coord'], axis=1).max(), 1)
    np.random.seed(0)
    before = out['coord'].copy()
    out = PointScaleAndTranslate()(out)
    # per-axis affine: scale in [2/3, 3/2], shift in [-0.2, 0.2]
    for axis in range(3):
        a, b = np.polyfit(before[:, axis], out['coord'][:, axis], 1)
        assert 2 / 3 - 1e-6 <= a <= 1.5 + 1e-6 and abs(b) <= 0.2 + 1e-6
    packed = PackPointInputs()(dict(out, label=2))
    assert packed['inputs'].dtype == torch.float32
    assert packed['data_samples'].label.item() == 2
    assert packed['data_samples'].part.shape == (100, )


def test_embedded_objects_are_deterministic_and_labelled():
    a, b = generate_object(4, 512), generate_object(4, 512)
    assert np.array_equal(a['coord'], b['coord'])
    assert not np.array_equal(a['coord'], generate_object(5, 512)['coord'])
    assert np.isclose(np.linalg.norm(a['coord'], axis=1).max(), 1, atol=1e-5)
    labels = {generate_object(s, 64)['label'] for s in range(40)}
    assert labels == set(range(len(OBJECT_CLASSES)))
    cls = OBJECT_CLASSES[a['label']]
    # every part id belongs to the object's class, and every part is used
    names = {PART_NAMES[p] for p in a['part']}
    assert all(n.startswith(cls + '/') for n in names)
    assert len(names) == sum(p.startswith(cls + '/') for p in PART_NAMES)
    ds = SyntheticObjectDataset(num_objects=3, num_points=256, pipeline=[
        dict(type='RandomPointSubsample', num_points=128),
        dict(type='PackPointInputs')])
    assert ds[0]['inputs'].shape == (128, 3)


def test_folder_dataset_with_shapenet_split(tmp_path):
    pc = tmp_path / 'shapenet_pc'
    pc.mkdir()
    for name in ('a-1.npy', 'b-2.npy', 'c-3.npy'):
        np.save(pc / name, np.random.default_rng(0).normal(size=(64, 3)))
    split = tmp_path / 'ShapeNet-55'
    split.mkdir()
    (split / 'train.txt').write_text('a-1.npy\nc-3.npy\n')
    pipeline = [dict(type='LoadPointCloud'),
                dict(type='RandomPointSubsample', num_points=32),
                dict(type='NormalizeToUnitSphere'),
                dict(type='PackPointInputs')]
    ds = PointCloudFolderDataset(str(tmp_path), 'shapenet_pc',
                                 'ShapeNet-55/train.txt', pipeline=pipeline)
    assert len(ds) == 2 and ds[1]['inputs'].shape == (32, 3)
    assert len(PointCloudFolderDataset(str(tmp_path), 'shapenet_pc')) == 3
    with pytest.raises(ValueError, match='no point-cloud files'):
        (tmp_path / 'none').mkdir()
        PointCloudFolderDataset(str(tmp_path), 'none')


def test_hard_objects_are_deterministic_harder_and_keep_the_easy_set():
    import numpy as np

    from densessl.datasets import SyntheticObjectDataset
    from densessl.datasets.point_generator import (HARD_OBJECT_CLASSES,
                                                   generate_object)
    a, b = generate_object(7, 512, 'hard'), generate_object(7, 512, 'hard')
    assert np.array_equal(a['coord'], b['coord']) and a['label'] == b['label']
    assert a['coord'].shape == (512, 3)
    assert np.isclose(np.linalg.norm(a['coord'], axis=1).max(), 1, atol=1e-5)
    assert (a['part'] == 255).sum() == int(0.05 * 512)  # clutter
    labels = {generate_object(s, 64, 'hard')['label'] for s in range(200)}
    assert labels == set(range(len(HARD_OBJECT_CLASSES)))
    # a partial scan: one side of the object is missing, so the centroid of
    # the object's own points moves off the bounding-box centre
    easy = generate_object(7, 512)
    assert not np.array_equal(easy['coord'], a['coord'])
    ds = SyntheticObjectDataset(num_objects=3, num_points=64, variant='hard')
    assert ds.metainfo['classes'] == HARD_OBJECT_CLASSES
    assert SyntheticObjectDataset(num_objects=3).metainfo['classes'][:4] == \
        HARD_OBJECT_CLASSES[:4]
    import pytest
    with pytest.raises(ValueError, match='variant must be one of'):
        generate_object(0, 64, 'medium')
