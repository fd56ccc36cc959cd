"""tools/benchmarks/point_eval.py: both kinds end to end on tiny embedded
sets (result written and reloaded), bad levels named, and 3D records in the
results store tabled by their own score."""
import json
import os.path as osp
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
import point_eval  # noqa: E402

SCENES = osp.join(ROOT, point_eval.METHODS['pointcontrast'])
OBJECTS = osp.join(ROOT, point_eval.METHODS['point_cmae'])


def test_scenes_all_levels_at_every_point(tmp_path):
    out = tmp_path / 'r.json'
    result = point_eval.main([SCENES, '--num-train', '2', '--num-val', '1',
                              '--epochs', '2', '--points-per-scene', '300',
                              '--out', str(out)])
    saved = json.loads(out.read_text())
    assert saved['levels'] == [0, 1, 2, 3, 4]
    assert saved['feature_dim'] == 32 + 48 + 64 + 128 + 128
    assert saved['train_points'] == 600
    assert saved['val_points'] == 12000  # every original point is scored
    for ev in ('probe', 'knn'):
        assert 0 <= saved[ev]['mIoU'] <= 100
    assert result['kind'] == 'scenes'
    with pytest.raises(ValueError, match='levels'):
        point_eval.main([SCENES, '--num-train', '1', '--num-val', '1',
                         '--levels', '5'])


def test_hard_objects_global_features(tmp_path):
    result = point_eval.main([OBJECTS, '--objects', 'hard', '--train-objects',
                              '24', '--val-objects', '16', '--epochs', '2',
                              '--eval', 'knn'])
    assert result['feature_dim'] == 2 * 192
    assert len(result['classes']) == 8 and 'probe' not in result
    assert 0 <= result['knn']['aAcc'] <= 100


def _tables(store, data, ev, accuracies, evals):
    """Write one point_cmae / random record per (init, seed, accuracy) with
    the accuracy under each of ``evals``; the store's tables."""
    from densessl.evaluation.results_store import (group_records,
                                                   load_records, make_record,
                                                   write_record)
    for init, seed, acc in accuracies:
        budget = dict(epochs=0) if init.startswith('random') else \
            dict(epochs=4)
        metric = dict(score=acc, mIoU=acc / 2, aAcc=acc)
        write_record(str(store), make_record(
            init, seed, data, budget, ev, 'h', {e: metric for e in evals},
            dict(pretrain=1.0)))
    return group_records(load_records(str(store)))


RANDOM = 'random (point_cmae init)'


def test_store_tables_3d_records_by_their_score(tmp_path):
    from densessl.evaluation.results_store import markdown_tables
    (table, ) = _tables(tmp_path, 'objects-easy', dict(
        protocol='global-max-mean', score='accuracy'),
        (('point_cmae', 0, 60.0), ('point_cmae', 1, 62.0),
         (RANDOM, 0, 40.0), (RANDOM, 1, 41.0)), ('probe', 'knn'))
    assert table['rows']['point_cmae']['probe'][0] == 61.0
    text = markdown_tables([table])
    assert 'probe accuracy' in text
    assert 'point_cmae > random (point_cmae init) (probe): +20.50' in text


def test_finetune_tables_show_their_own_column(tmp_path):
    from densessl.evaluation.results_store import markdown_tables
    tables = _tables(tmp_path, 'objects-hard', dict(
        protocol='finetune-cls', score='accuracy'),
        (('point_cmae', 0, 70.0), ('point_cmae', 1, 74.0),
         (RANDOM, 0, 68.0), (RANDOM, 1, 69.0)), ('finetune', ))
    text = markdown_tables(tables)
    assert '| init | fine-tuned accuracy | seeds |' in text
    assert '| point_cmae | 72.00 ± 2.83 | 0,1 |' in text
    # +3.50 is within 2 x 2.83: the ordering is not established
    assert '(finetune): +3.50 vs 5.66 ✗' in text


def test_a_finished_finetune_is_reused_not_rerun(tmp_path):
    (tmp_path / 'transfer_metrics.json').write_text('{"cls/acc": 71.25}')
    import point_compare
    assert point_compare._finetune('missing.py', None, str(tmp_path), 0) == 71.25


def test_compare_stores_a_random_row_and_stops_when_pretraining_does(
        tmp_path, monkeypatch):
    """The off-the-shelf comparison end to end for one random network; the
    pretraining that follows is stubbed to stop at its time budget."""
    import compare_pretraining

    from densessl.evaluation.results_store import load_records
    monkeypatch.setattr(compare_pretraining, 'pretrain',
                        lambda *args, **kwargs: None)
    store = tmp_path / 'store'
    point_eval.main(['--compare', '--methods', 'point_cmae', '--seeds', '0',
                     '--store', str(store), '--work-dir', str(tmp_path),
                     '--train-objects', '16', '--val-objects', '8',
                     '--epochs', '2'])
    records = load_records(str(store))
    assert [r['init'] for r in records] == ['random (point_cmae init)']
    assert records[0]['data'] == 'objects-easy'
    for kind in ('probe', 'knn'):
        assert 0 <= records[0]['metrics'][kind]['score'] <= 100


def test_scanobjectnn_folder_any_class_count(tmp_path):
    import h5py
    import numpy as np

    from densessl.datasets import ScanObjectNNDataset
    from densessl.datasets.point_generator import generate_object
    for prefix, seeds in (('training', range(12)), ('test', range(50, 58))):
        objects = [generate_object(s, 600) for s in seeds]
        with h5py.File(tmp_path / f'{prefix}_objectdataset_augmentedrot_'
                       'scale75.h5', 'w') as f:
            f['data'] = np.stack([o['coord'] for o in objects])
            f['label'] = np.array([o['label'] for o in objects])
    (tmp_path / 'shape_names.txt').write_text('table\nlamp\nmug\nrocket\n')
    ds = ScanObjectNNDataset(str(tmp_path), 'test')
    assert len(ds) == 8 and ds.metainfo['classes'][3] == 'rocket'
    assert ds[0]['coord'].shape == (600, 3)
    assert ds[0]['label'] == generate_object(50, 600)['label']
    result = point_eval.main([OBJECTS, '--data-root', str(tmp_path),
                              '--epochs', '2'])
    assert result['num_train'] == 12 and result['num_val'] == 8
    assert len(result['classes']) == 4
    with pytest.raises(FileNotFoundError, match='ScanObjectNN split folder'):
        ScanObjectNNDataset(str(tmp_path), 'train', variant='plain')


def test_pointcept_scene_folders_and_compare_refuses_them(tmp_path):
    import numpy as np

    from densessl.datasets import generate_room
    for split, seeds in (('train', (1, 2)), ('val', (3, ))):
        for seed in seeds:
            room = generate_room(seed, 800)
            folder = tmp_path / split / f'scene{seed}'
            folder.mkdir(parents=True)
            np.save(folder / 'coord.npy', room['coord'])
            np.save(folder / 'color.npy', room['color'] * 255)
            np.save(folder / 'segment20.npy', room['segment'])
    result = point_eval.main([SCENES, '--data-root', str(tmp_path),
                              '--num-classes', '7', '--epochs', '2',
                              '--points-per-scene', '100'])
    assert (result['num_train'], result['num_val']) == (2, 1)
    assert result['val_points'] == 800 and result['train_points'] == 200
    with pytest.raises(SystemExit):
        point_eval.main(['--compare', '--data-root', str(tmp_path)])
