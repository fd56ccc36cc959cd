"""The results store's config fingerprint and re-keying."""
import copy
import json
import os

from densessl.evaluation.results_store import (config_fingerprint,
                                               find_record, load_records,
                                               make_record, rekey_records,
                                               write_record)

CFG = dict(
    model=dict(type='BYOL', backbone=dict(type='TimmBackbone', depth=18)),
    optim_wrapper=dict(optimizer=dict(type='LARS', lr=4.8)),
    default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1),
                       logger=dict(type='LoggerHook', interval=10),
                       param_scheduler=dict(type='ParamSchedulerHook')),
    custom_hooks=[dict(type='BYOLMomentumHook'),
                  dict(type='LossCurveHook', smooth=5)],
    work_dir='a', randomness=dict(seed=0), log_level='INFO')


def test_fingerprint_ignores_plumbing_and_sees_what_decides_numbers():
    base = config_fingerprint(CFG)
    plumbing = copy.deepcopy(CFG)
    plumbing.update(work_dir='b', randomness=dict(seed=3), log_level='DEBUG')
    plumbing['default_hooks']['checkpoint'] = dict(
        type='densessl.SafeCheckpointHook', interval=5, max_keep_ckpts=1)
    plumbing['default_hooks']['logger']['interval'] = 1
    plumbing['custom_hooks'].append(dict(type='densessl.SimilarityMapHook'))
    assert config_fingerprint(plumbing) == base
    for change in (lambda c: c['optim_wrapper']['optimizer'].update(lr=1.0),
                   lambda c: c['model']['backbone'].update(depth=50),
                   lambda c: c['custom_hooks'].pop(0),  # momentum schedule
                   lambda c: c['default_hooks'].pop('param_scheduler')):
        changed = copy.deepcopy(CFG)
        change(changed)
        assert config_fingerprint(changed) != base
    assert len(base) == 16 and int(base, 16) >= 0


def test_seeded_sampler_and_step_seeds_keep_the_fingerprint():
    """Exact-resume seeding changes which random numbers are drawn, not the
    setting: stored runs keep their keys; the order of the data still
    counts."""
    plain = copy.deepcopy(CFG)
    plain['train_dataloader'] = dict(
        batch_size=32, sampler=dict(type='DefaultSampler', shuffle=True))
    seeded = copy.deepcopy(plain)
    seeded['train_dataloader']['sampler']['type'] = 'SeededSampler'
    seeded['default_hooks']['step_seed'] = dict(type='StepSeedHook')
    assert config_fingerprint(seeded) == config_fingerprint(plain)
    unshuffled = copy.deepcopy(seeded)
    unshuffled['train_dataloader']['sampler']['shuffle'] = False
    assert config_fingerprint(unshuffled) != config_fingerprint(plain)


def test_rekey_moves_only_the_named_hashes_and_keeps_the_numbers(tmp_path):
    store = str(tmp_path)
    budget, eval_cfg = dict(epochs=6), dict(protocol='probe')
    old = make_record('byol', 0, 'photos', budget, eval_cfg, 'aaaa', dict(
        probe=dict(score=33.7)), dict(pretrain=1.0))
    other = make_record('mocov2', 0, 'photos', budget, eval_cfg, 'cccc',
                        dict(probe=dict(score=29.6)), dict(pretrain=1.0))
    old_path, other_path = (write_record(store, r) for r in (old, other))
    assert rekey_records(store, {'aaaa': 'bbbb'}) == 1
    assert not os.path.exists(old_path) and os.path.exists(other_path)
    records = {r['init']: r for r in load_records(store)}
    moved = records['byol']
    assert moved['config_hash'] == 'bbbb' and moved['key'] != old['key']
    assert moved['metrics'] == old['metrics']
    assert moved['finished'] == old['finished']
    assert find_record(store, moved['key']) == moved
    assert find_record(store, old['key']) is None
    assert records['mocov2'] == json.loads(json.dumps(other))
    assert rekey_records(store, {'aaaa': 'bbbb'}) == 0  # idempotent


def test_migrations_follow_chains_and_skip_comments(tmp_path):
    from densessl.evaluation.results_store import apply_migrations
    store = str(tmp_path / 'store')
    record = make_record('byol', 1, 'photos', dict(epochs=6), dict(k=20),
                         'old', dict(probe=dict(score=1.0)), {})
    write_record(store, record)
    table = tmp_path / 'migrations.json'
    table.write_text(json.dumps({'_why': {'old': 'ignored'},
                                 'first': {'old': 'mid'},
                                 'second': {'mid': 'new'}}))
    assert apply_migrations(store, str(tmp_path / 'none.json')) == 0
    assert apply_migrations(store, str(table)) == 2
    (moved, ) = load_records(store)
    assert moved['config_hash'] == 'new'
    assert apply_migrations(store, str(table)) == 0
