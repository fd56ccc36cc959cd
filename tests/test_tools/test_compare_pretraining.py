"""The comparison harness: shortened schedules, one random row per backbone
init, the results store (records written, reloaded, grouped, summarised;
stored runs skipped; the time budget), the summary tool; BN
recalibration."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools', 'benchmarks'))
import compare_pretraining as harness  # noqa: E402
from dense_eval import parse_args as eval_args  # noqa: E402


def _cfg(method):
    return Config.fromfile(osp.join(ROOT, harness.CONFIGS[method]))


def test_shortened_run_scales_warmup_and_cosine():
    cfg = _cfg('byol')  # warm-up 1 of 6 epochs, cosine over epochs 1..6
    per_epoch = harness.iters_per_epoch(cfg)
    assert per_epoch == 50
    harness.shorten_schedule(cfg, 2)
    warmup, cosine = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 2
    assert (warmup.begin, warmup.end) == (0, round(50 * 2 / 6))
    assert (cosine.begin, cosine.end) == (round(50 * 2 / 6), 100)
    assert cosine.T_max == round(5 * 50 * 2 / 6)
    assert not warmup.by_epoch and 'convert_to_iter_based' not in warmup
    untouched = _cfg('byol')
    harness.shorten_schedule(untouched, 6)
    assert untouched.param_scheduler[0].by_epoch


def test_each_backbone_init_gets_its_own_random_row():
    rows = harness.random_rows(['densecl', 'mocov2', 'byol', 'pixpro',
                                'slotcon'])
    names = [name for name, _ in rows]
    assert len(rows) == 2, names
    assert 'mocov2/densecl' in names[0]
    assert 'byol/pixpro/slotcon/detcon_b/detcon_s' in names[1]
    inits = {_cfg(m).model.backbone.zero_init_last for _, m in rows}
    assert inits == {False, True}
    # the same network keeps its name whichever methods are asked for
    assert harness.random_rows(['densecl']) == [
        ('random (mocov2/densecl init)', 'densecl')]
    assert harness.random_rows(['slotcon']) == [
        ('random (byol/pixpro/slotcon/detcon_b/detcon_s init)', 'slotcon')]


def test_random_records_are_renamed_when_a_method_joins_their_init(tmp_path):
    from densessl.evaluation.results_store import find_record, run_key
    store = str(tmp_path)
    _, old = _record(store, 'random (byol/pixpro/slotcon init)', 0, 20.0, 10.0)
    _, kept = _record(store, 'random (mocov2/densecl init)', 0, 21.0, 11.0)
    assert harness.rename_random_records(store) == 1
    assert find_record(store, old['key']) is None
    new_name = 'random (byol/pixpro/slotcon/detcon_b/detcon_s init)'
    new_key = run_key(new_name, 0, 'photos', old['budget'], old['eval'],
                      old['config_hash'])
    moved = find_record(store, new_key)
    assert moved['init'] == new_name and moved['metrics'] == old['metrics']
    assert find_record(store, kept['key']) is not None
    assert harness.rename_random_records(store) == 0


def _record(store, init, seed, probe, knn, epochs=6, data='photos'):
    from densessl.evaluation.results_store import make_record, write_record
    budget = dict(epochs=0) if init.startswith('random') else \
        dict(epochs=epochs)
    metrics = dict(probe=dict(mIoU=probe), knn=dict(mIoU=knn))
    record = make_record(init, seed, data, budget, dict(levels=[-1]),
                         'cfg' + init, metrics, dict(pretrain=1.0), 'cpu',
                         ROOT)
    return write_record(str(store), record), record


def test_records_are_written_reloaded_and_summarised(tmp_path):
    from densessl.evaluation.results_store import (find_record,
                                                   group_records,
                                                   load_records,
                                                   markdown_tables,
                                                   target_checks)
    random = 'random (mocov2/densecl init)'
    for seed, (p, k) in enumerate([(10, 20), (12, 22), (14, 24)]):
        _record(tmp_path, random, seed, p, k)
    for seed in range(3):
        _record(tmp_path, 'densecl', seed, 30 + seed, 40)
        _, mocov2 = _record(tmp_path, 'mocov2', seed, 13, 21)
    _record(tmp_path, 'densecl', 0, 99, 99, epochs=2)  # another budget
    records = load_records(str(tmp_path))
    assert len(records) == 10
    assert find_record(str(tmp_path), mocov2['key'])['metrics'] == \
        mocov2['metrics']
    assert mocov2['machine']['cores'] >= 1 and mocov2['commit']
    tables = group_records(records)
    assert [t['budget']['epochs'] for t in tables] == [2, 6]
    six = tables[1]
    # random rows (no budget) join every table of their data and evaluation
    # that holds one of their methods
    assert list(six['rows']) == [random, 'mocov2', 'densecl']
    assert list(tables[0]['rows']) == [random, 'densecl']
    assert six['rows'][random]['probe'] == pytest.approx((12.0, 2.0, 3))
    assert six['rows']['densecl']['probe'] == pytest.approx((31.0, 1.0, 3))
    assert six['seeds']['densecl'] == [0, 1, 2]
    checks = {(b, w, m): ok for b, w, m, _, _, ok in target_checks(six)}
    # densecl beats mocov2 by 18 > 2 * 1; mocov2 - random = 1 < 2 * 2
    assert checks[('densecl', 'mocov2', 'probe')]
    assert not checks[('mocov2', random, 'probe')]
    text = markdown_tables(tables)
    assert f'| {random} | 12.00 ± 2.00 | 22.00 ± 2.00 | 0,1,2 |' in text
    assert 'densecl > mocov2 (probe): +18.00 vs 2.00 ✓' in text
    # one seed has no spread to judge a gap by
    one = group_records([r for r in records if r['seed'] == 0])
    assert all(ok is None for *_, ok in target_checks(one[1]))
    assert '(too few seeds to judge)' in markdown_tables(one)
    # another backbone's random network joins only the tables of its own
    # methods: a table of its own until one of them is pretrained
    vit_random = 'random (mocov2_vit/densecl_vit init)'
    _record(tmp_path, vit_random, 0, 5, 6)
    tables = group_records(load_records(str(tmp_path)))
    assert [list(t['rows']) for t in tables] == [
        [vit_random], [random, 'densecl'], [random, 'mocov2', 'densecl']]
    _record(tmp_path, 'densecl_vit', 0, 7, 8, epochs=3)
    tables = group_records(load_records(str(tmp_path)))
    assert [list(t['rows']) for t in tables] == [
        [random, 'densecl'], [vit_random, 'densecl_vit'],
        [random, 'mocov2', 'densecl']]


def test_a_broken_record_is_named(tmp_path):
    from densessl.evaluation.results_store import load_records
    (tmp_path / 'photos').mkdir()
    (tmp_path / 'photos' / 'x.json').write_text('{"half": ')
    with pytest.raises(ValueError, match='x.json is not a readable'):
        load_records(str(tmp_path))


def test_summarize_writes_tables_png_and_the_readme_section(tmp_path):
    import summarize
    store = tmp_path / 'store'
    for seed in range(2):
        _record(store, 'random (byol init)', seed, 5 + seed, 6)
        _record(store, 'byol', seed, 8 + seed, 9)
    readme = tmp_path / 'README.md'
    readme.write_text(f'# x\n\n{summarize.BEGIN}\nold\n{summarize.END}\n'
                      'tail\n')
    out, png = tmp_path / 'RESULTS.md', tmp_path / 'r' / 'results.png'
    summarize.main(['--store', str(store), '--out', str(out), '--png',
                    str(png), '--readme', str(readme)])
    assert '| byol | 8.50 ± 0.71 | 9.00 ± 0.00 | 0,1 |' in out.read_text()
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    text = readme.read_text()
    assert 'old' not in text and '| byol | 8.50' in text
    assert text.endswith(f'{summarize.END}\ntail\n')
    readme.write_text('no markers')
    with pytest.raises(SystemExit, match='no "<!-- results:begin -->"'):
        summarize.main(['--store', str(store), '--out', str(out), '--png',
                        str(png), '--readme', str(readme)])
    with pytest.raises(SystemExit, match='no result records'):
        summarize.main(['--store', str(tmp_path / 'empty')])


def test_stored_runs_are_skipped_and_the_time_budget_stops(tmp_path,
                                                           capsys):
    from densessl.evaluation.results_store import make_record, write_record
    store = str(tmp_path / 'store')
    argv = ['--store', store, '--work-dir', str(tmp_path / 'w'), '--data',
            'photos', '--methods', 'densecl', '--seeds', '0']
    args = harness.parse_args(argv)
    eval_cfg = harness.eval_settings(args, eval_args(['config']))
    runs = harness.plan(args, eval_cfg)
    assert [r[0] for r in runs] == ['random (mocov2/densecl init)', 'densecl']
    assert runs[1][5]['epochs'] == 6 and runs[1][5]['crop'] == 128
    assert runs[0][5] == dict(epochs=0)
    # the random network's key does not depend on the pretraining budget
    longer = harness.plan(harness.parse_args(argv + ['--epochs', '3']),
                          eval_cfg)
    assert longer[0][-1] == runs[0][-1] and longer[1][-1] != runs[1][-1]
    for init, _, seed, _, _, budget, config_hash, key in runs:
        write_record(store, make_record(init, seed, 'photos', budget,
                                        eval_cfg, config_hash,
                                        dict(probe=dict(mIoU=1.0),
                                             knn=dict(mIoU=2.0)), {}))
    assert harness.main(argv) == 0  # everything stored: nothing runs
    assert '0 runs finished now, 2 already stored' in capsys.readouterr().out
    assert harness.main(['--store', str(tmp_path / 'other'), '--work-dir',
                         str(tmp_path / 'w'), '--methods', 'densecl',
                         '--seeds', '0', '--max-minutes', '0']) == 0
    assert 'Time budget of 0.0 min spent: 2 runs left' in \
        capsys.readouterr().out
    assert not (tmp_path / 'w').exists()


def test_bn_recalibration_sets_the_statistics_of_the_given_images():
    from densessl.apis import recalibrate_bn
    from densessl.registry import MODELS
    from helpers import densecl_cfg
    model = MODELS.build(densecl_cfg()).eval()
    images = torch.randint(0, 255, (6, 3, 32, 32), dtype=torch.uint8)
    assert recalibrate_bn(model, images, batch_size=3) > 0
    assert not model.training
    bn1 = model.backbone.timm_model.bn1
    # after one pass the first BN's mean is the batch-averaged mean of its
    # input (conv1 of the normalised images)
    data = model.data_preprocessor(dict(inputs=images), False)['inputs']
    x = data[0] if isinstance(data, (list, tuple)) else data
    with torch.no_grad():
        conv = model.backbone.timm_model.conv1(x)
    expected = (conv[:3].mean((0, 2, 3)) + conv[3:].mean((0, 2, 3))) / 2
    assert torch.allclose(bn1.running_mean, expected, atol=1e-4)
    assert bn1.momentum == 0.1


def test_label_free_ranking_tool_on_random_networks(tmp_path):
    import json

    import rank_label_free
    from scipy.stats import spearmanr
    assert rank_label_free.spearman([1, 2, 3, 4], [10, 30, 20, 40]) == \
        pytest.approx(spearmanr([1, 2, 3, 4], [10, 30, 20, 40])[0])
    store = tmp_path / 'store'
    for seed in range(3):
        path, record = _record(store, 'random (mocov2/densecl init)', seed,
                               10 + seed, 20 - seed)
        record['eval'] = dict(levels=[-2, -1])
        with open(path, 'w') as f:
            json.dump(record, f)
    out = tmp_path / 'ranking.json'
    table = rank_label_free.main(['--store', str(store), '--num-images', '2',
                                  '--out', str(out), '--work-dir',
                                  str(tmp_path / 'no-checkpoints')])
    saved = json.loads(out.read_text())
    assert saved['n'] == 3 and set(table) == {'alignment', 'uniformity',
                                              'prompt_mIoU'}
    from PIL import Image
    with Image.open(tmp_path / 'ranking.png') as png:  # the scatter plot
        assert png.format == 'PNG' and png.size[0] > 800
    for row in saved['runs']:
        assert 0 <= row['alignment'] <= 4 and row['uniformity'] <= 0
    # a pretrained run whose checkpoint is not here keeps the measures an
    # earlier ranking file holds for it; one never measured is left out
    for seed, probe in ((0, 30.0), (1, 31.0)):
        path, record = _record(store, 'mocov2', seed, probe, 25.0)
        record['eval'] = dict(levels=[-2, -1])
        with open(path, 'w') as f:
            json.dump(record, f)
    saved['runs'].append(dict(key='old', init='mocov2', seed=0, probe=30.0,
                              knn=25.0, alignment=0.5, uniformity=-3.0,
                              prompt_mIoU=40.0))
    out.write_text(json.dumps(saved))
    rank_label_free.main(['--store', str(store), '--num-images', '2',
                          '--out', str(out), '--work-dir',
                          str(tmp_path / 'no-checkpoints')])
    saved = json.loads(out.read_text())
    assert saved['n'] == 4
    kept = [r for r in saved['runs'] if r['init'] == 'mocov2']
    assert [(r['seed'], r['prompt_mIoU'], r['uniformity']) for r in kept] \
        == [(0, 40.0, -3.0)]


def test_random_row_is_found_by_member_not_by_substring():
    from densessl.evaluation.results_store import _random_row
    rows = {'random (mocov2_vit/byol_vit init)': {},
            'random (byol/pixpro init)': {}}
    assert _random_row(rows, 'byol') == 'random (byol/pixpro init)'
    assert _random_row(rows, 'byol_vit') == 'random (mocov2_vit/byol_vit init)'
    assert _random_row(rows, 'slotcon') is None


def test_each_stored_run_keeps_its_label_free_measures(tmp_path):
    """A run the comparison stores carries the ranking's measures of the
    network it evaluated, and the ranking tool reads them from the record
    when no checkpoint (and no earlier ranking file) is at hand."""
    import json

    import rank_label_free
    from densessl.evaluation.results_store import (load_records,
                                                   make_record, write_record)
    store = str(tmp_path / 'store')
    argv = ['--store', store, '--work-dir', str(tmp_path / 'w'),
            '--methods', 'densecl', '--seeds', '0', '--num-train', '2',
            '--num-val', '2', '--size', '64', '--probe-epochs', '1',
            '--label-free-images', '2']
    args = harness.parse_args(argv)
    eval_cfg = harness.eval_settings(args, eval_args(['config']))
    # the pretrained run is stored already: only the random row runs
    _, _, seed, _, _, budget, config_hash, _ = harness.plan(args,
                                                            eval_cfg)[1]
    write_record(store, make_record('densecl', seed, 'procedural', budget,
                                    eval_cfg, config_hash,
                                    dict(probe=dict(mIoU=30.0),
                                         knn=dict(mIoU=20.0)), {}))
    assert harness.main(argv) == 1
    random_row = [r for r in load_records(store)
                  if r['init'].startswith('random')]
    assert len(random_row) == 1
    kept = random_row[0]['label_free']
    assert kept['num_images'] == 2
    # the same numbers as measuring the random network again
    again = rank_label_free.label_free_measures('mocov2', 0, 'procedural',
                                                None, 2)
    assert {m: kept[m] for m in again} == pytest.approx(again, abs=1e-6)
    assert not (tmp_path / 'w').exists()  # no checkpoint was written
    # the ranking uses them: the record without measures is left out
    for seed in (1, 2):
        record = dict(random_row[0], seed=seed, key=f'k{seed}')
        record['label_free'] = dict(kept, prompt_mIoU=kept['prompt_mIoU']
                                    + seed)
        record['metrics'] = dict(probe=dict(mIoU=10.0 + seed),
                                 knn=dict(mIoU=5.0 + seed))
        with open(osp.join(store, 'procedural', f'r{seed}.json'), 'w') as f:
            json.dump(record, f)
    out = tmp_path / 'ranking.json'
    rank_label_free.main(['--store', store, '--data', 'procedural',
                          '--num-images', '2', '--out', str(out),
                          '--work-dir', str(tmp_path / 'none'),
                          '--levels', *map(str, eval_cfg['levels'])])
    saved = json.loads(out.read_text())
    assert saved['n'] == 3  # the three random rows; densecl has no measures
    assert sorted(r['prompt_mIoU'] for r in saved['runs']) == pytest.approx(
        [kept['prompt_mIoU'] + s for s in (0, 1, 2)])
