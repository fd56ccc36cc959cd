"""tools/train.py end to end on tiny settings (subprocesses, CPU)."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'tests/data/densecl_tiny_deterministic.py')


def tiny_options(max_epochs, extra=()):
    return ['--cfg-options', f'train_cfg.max_epochs={max_epochs}', *extra]


def run(args, **kwargs):
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES='')
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600,
                          **kwargs)


def train(work_dir, max_epochs, *extra):
    proc = run(['tools/train.py', CONFIG, '--work-dir', str(work_dir),
                *extra, *tiny_options(max_epochs)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def load(path):
    # densessl checkpoints load with the safe loader
    return torch.load(path, map_location='cpu', weights_only=True)


def test_train_then_resume_continues_identically(tmp_path):
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'
    train(straight, 2)
    train(resumed, 1)
    first = load(resumed / 'epoch_1.pth')
    assert first['meta']['iter'] == 2 and first['meta']['epoch'] == 1
    proc = train(resumed, 2, '--resume')
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    a, b = load(straight / 'epoch_2.pth'), load(resumed / 'epoch_2.pth')
    assert b['meta']['iter'] == a['meta']['iter'] == 4
    # identical model (incl. queues, pointers, momentum encoder) ...
    assert a['state_dict'].keys() == b['state_dict'].keys()
    assert any(k.startswith('momentum_encoder.') for k in a['state_dict'])
    assert 'dense_queue.queue' in a['state_dict']
    for key in a['state_dict']:
        assert torch.allclose(a['state_dict'][key].float(),
                              b['state_dict'][key].float(), atol=1e-6), key
    # ... and optimizer state (SGD momentum buffers)
    for sa, sb in zip(a['optimizer']['state'].values(),
                      b['optimizer']['state'].values()):
        assert torch.allclose(sa['momentum_buffer'], sb['momentum_buffer'],
                              atol=1e-6)
    # the training log of the resumed run continues at iteration 3
    logs = sorted((resumed).glob('*/vis_data/scalars.json'))
    assert logs, 'no scalars.json written'
    steps = [line for line in logs[-1].read_text().splitlines()]
    assert '"step": 3' in steps[0]


def losses_by_step(work_dir):
    """{iteration: loss} from every scalars.json in the work dir."""
    import json
    losses = {}
    for log in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            if 'loss' in entry:
                losses[entry['step']] = entry['loss']
    return losses


def test_resume_with_random_views_repeats_every_later_loss(tmp_path):
    """Random crops, jitter, blur and flips drawn by two persistent
    workers: the resumed run sees the same views (seeded per sample by
    SeededSampler) and draws the same numbers per step (StepSeedHook)."""
    config = osp.join(ROOT, 'tests/data/densecl_tiny_random_views.py')
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'

    def train_views(work_dir, epochs, *extra):
        proc = run(['tools/train.py', config, '--work-dir', str(work_dir),
                    *extra, *tiny_options(epochs)])
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    train_views(straight, 3)
    train_views(resumed, 1)
    train_views(resumed, 3, '--resume')
    a, b = losses_by_step(straight), losses_by_step(resumed)
    assert sorted(a) == sorted(b) == [1, 2, 3, 4, 5, 6]
    # views differ between steps: the losses are not all the same number
    assert len({round(v, 4) for v in a.values()}) > 3
    for step in range(3, 7):
        assert abs(a[step] - b[step]) < 1e-5, (step, a[step], b[step])
    wa = load(straight / 'epoch_3.pth')['state_dict']
    wb = load(resumed / 'epoch_3.pth')['state_dict']
    for key in wa:
        assert torch.allclose(wa[key].float(), wb[key].float(),
                              atol=1e-5), key


def test_extract_backbone_loads_weights_only(tmp_path):
    train(tmp_path, 1)
    out = tmp_path / 'backbone.pth'
    proc = run(['tools/extract_backbone.py', str(tmp_path / 'epoch_1.pth'),
                str(out)])
    assert proc.returncode == 0, proc.stderr
    exported = load(out)
    full = load(tmp_path / 'epoch_1.pth')['state_dict']
    sd = exported['state_dict']
    assert all(k.startswith('backbone.timm_model.') for k in sd)
    for key, value in sd.items():
        assert torch.equal(value, full[key])  # the online backbone
    assert all(isinstance(v, str) for v in exported['meta'].values())

    timm_out = tmp_path / 'timm.pth'
    proc = run(['tools/extract_backbone.py', str(tmp_path / 'epoch_1.pth'),
                str(timm_out), '--layout', 'timm'])
    assert proc.returncode == 0, proc.stderr
    import timm
    net = timm.create_model('resnet18', pretrained=False)
    missing, unexpected = net.load_state_dict(
        load(timm_out)['state_dict'], strict=False)
    assert not unexpected and set(missing) == {'fc.weight', 'fc.bias'}
    assert torch.equal(net.conv1.weight,
                       full['backbone.timm_model.conv1.weight'])


@pytest.mark.parametrize('option, message', [
    ('train_dataloder.batch_size=2', 'did you mean "train_dataloader"'),
    ('model.ema_dcay=0.9', "no argument \"ema_dcay\"; did you mean "
     "'ema_decay'?"),
    ('model.backbone.model_name=resnet_does_not_exist',
     'Unknown timm model'),
])
def test_bad_config_keys_give_clear_errors(tmp_path, option, message):
    proc = run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                *tiny_options(1, [option])])
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and message in last, proc.stderr[-2000:]


@pytest.mark.parametrize('method', ['mocov2', 'byol', 'pixpro', 'slotcon',
                                    'detcon', 'point_cmae'])
def test_train_tool_runs_each_method(tmp_path, method):
    config = osp.join(ROOT, f'tests/data/{method}_tiny.py')
    proc = run(['tools/train.py', config, '--work-dir', str(tmp_path),
                '--cfg-options', 'train_cfg.max_epochs=2'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ckpt = load(tmp_path / 'epoch_2.pth')
    assert ckpt['meta']['iter'] == 4
    assert (tmp_path / 'loss_curve.png').stat().st_size > 0
    log = proc.stdout + proc.stderr
    assert 'loss:' in log
    if method in ('byol', 'pixpro', 'slotcon', 'detcon'):
        # the momentum schedule ran: ema_decay logged and rising
        assert 'ema_decay' in log


def train_one_epoch_and_export(config, work_dir):
    """Train ``config`` for one epoch into ``work_dir`` and export its
    backbone; returns the export's path."""
    proc = run(['tools/train.py', config, '--work-dir', str(work_dir),
                '--cfg-options', 'train_cfg.max_epochs=1'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = work_dir / 'backbone.pth'
    proc = run(['tools/extract_backbone.py', str(work_dir / 'epoch_1.pth'),
                str(out)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_detcon_backbone_exports_and_maps_similarity(tmp_path):
    config = osp.join(ROOT, 'tests/data/detcon_tiny.py')
    out = train_one_epoch_and_export(config, tmp_path)
    key = 'backbone.timm_model.conv1.weight'
    assert torch.equal(load(out)['state_dict'][key],
                       load(tmp_path / 'epoch_1.pth')['state_dict'][key])
    png = tmp_path / 'sim.png'
    proc = run(['tools/visualize_similarity.py', config, '--checkpoint',
                str(tmp_path / 'epoch_1.pth'), '--size', '64', '--out',
                str(png)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert png.stat().st_size > 0


def test_amp_on_cpu_trains_in_bfloat16(tmp_path):
    proc = train(tmp_path, 1, '--amp')
    log = proc.stdout + proc.stderr
    assert 'AutocastOptimWrapper' in log and 'loss:' in log
    ckpt = load(tmp_path / 'epoch_1.pth')
    # parameters stay float32 (autocast casts per op) and the step moved them
    weight = ckpt['state_dict']['backbone.timm_model.conv1.weight']
    assert weight.dtype == torch.float32 and torch.isfinite(weight).all()


def test_extract_backbone_takes_slotcon_teacher(tmp_path):
    config = osp.join(ROOT, 'tests/data/slotcon_tiny.py')
    out = train_one_epoch_and_export(config, tmp_path)
    exported = load(out)
    full = load(tmp_path / 'epoch_1.pth')['state_dict']
    key = 'backbone.timm_model.conv1.weight'
    teacher = full['momentum_encoder.module.0.timm_model.conv1.weight']
    assert exported['meta']['branch'] == 'teacher'
    assert torch.equal(exported['state_dict'][key], teacher)
    assert not torch.equal(teacher, full[key])  # they did diverge


def test_a_misspelt_key_stops_before_the_runner_with_one_line(tmp_path):
    proc = run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                '--cfg-options', 'model.backbon.depth=1'])
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith('error: model.backbon: DenseCL') and \
        "did you mean 'backbone'?" in lines[-1]
    assert 'Traceback' not in proc.stderr
    assert 'System environment' not in proc.stdout + proc.stderr
    missing = run(['tools/train.py', 'configs/nope.py'])
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith('error: Config file')


def test_resume_with_nothing_to_resume_says_so_and_stale_files_go(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / '.tmp-x1y2').write_bytes(b'half a checkpoint')
    proc = train(tmp_path, 1, '--resume')
    assert f'warning: --resume: nothing to resume in {tmp_path}' in \
        proc.stdout
    assert 'left by an interrupted write' in proc.stdout
    assert not list(tmp_path.glob('.tmp-*'))
    assert (tmp_path / 'epoch_1.pth').is_file()


def test_dist_train_sh_runs_two_cpu_processes_from_any_directory(tmp_path):
    """The launcher finds the project's Python by itself (no venv on PATH)
    and takes the config and work dir relative to the caller."""
    import shutil
    config = tmp_path / 'tiny.py'
    shutil.copy(CONFIG, config)
    text = config.read_text().replace("'../../configs/", f"'{ROOT}/configs/")
    config.write_text(text)
    env = dict(os.environ, CUDA_VISIBLE_DEVICES='', PORT='29517',
               PATH='/usr/bin:/bin')
    env.pop('PYTHON', None)
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools/dist_train.sh'), 'tiny.py', '2',
         '--work-dir', 'out', '--cfg-options', 'train_cfg.max_epochs=1'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # 8 scenes, batch 4 per process, 2 processes: one iteration per epoch
    ckpt = load(tmp_path / 'out' / 'epoch_1.pth')
    assert ckpt['meta']['iter'] == 1


def test_dense_quality_hook_logs_and_leaves_training_unchanged(tmp_path):
    import json
    plain, watched = tmp_path / 'plain', tmp_path / 'watched'
    train(plain, 1)
    config = tmp_path / 'watched.py'
    config.write_text(f"_base_ = ['{CONFIG}']\ncustom_hooks = [\n"
                      "    dict(type='LossCurveHook', smooth=5),\n"
                      "    dict(type='DenseQualityHook', interval=1, "
                      "num_images=4)]\n")
    proc = run(['tools/train.py', str(config), '--work-dir', str(watched),
                '--cfg-options', 'train_cfg.max_epochs=1'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for p in watched.glob('*/vis_data/scalars.json')
            for line in p.read_text().splitlines()]
    logged = [r for r in rows if 'train/dense/alignment' in r or
              'dense/alignment' in r]
    assert logged, rows[:3]
    row = logged[-1]
    get = {k.split('/')[-1]: v for k, v in row.items() if 'dense/' in k}
    assert 0 <= get['alignment'] <= 4 and -8 <= get['uniformity'] <= 0
    assert 0 <= get['prompt_mIoU'] <= 100
    from PIL import Image
    with Image.open(watched / 'loss_curve.png') as figure:
        assert figure.width > 1000  # the loss panel and three measure panels
    # measuring draws its views with its own random state: the run is the
    # same with and without the hook
    a, b = load(plain / 'epoch_1.pth'), load(watched / 'epoch_1.pth')
    for key in a['state_dict']:
        assert torch.equal(a['state_dict'][key], b['state_dict'][key]), key


def test_vit_recipe_trains_with_decay_only_where_it_belongs(tmp_path):
    config = osp.join(ROOT, 'tests/data/byol_vit_tiny.py')
    proc = run(['tools/train.py', config, '--work-dir', str(tmp_path),
                '--cfg-options', 'train_cfg.max_epochs=2'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = load(tmp_path / 'epoch_2.pth')
    groups = ckpt['optimizer']['param_groups']
    decays = sorted({round(g['weight_decay'], 6) for g in groups})
    # norms, biases, pos_embed, cls_token: 0; weights: 0.04 rising to 0.4
    assert decays[0] == 0.0 and 0.04 < decays[-1] <= 0.4
    names = ckpt['state_dict']
    assert 'backbone.timm_model.model.pos_embed' in names


def test_a_plain_checkpoint_hook_is_named_up_front(capsys):
    from mmengine.config import Config
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from train import warn_unsafe_checkpoints
    warn_unsafe_checkpoints(Config(dict(default_hooks=dict(
        checkpoint=dict(type='SafeCheckpointHook', interval=1)))))
    assert capsys.readouterr().out == ''
    warn_unsafe_checkpoints(Config(dict(default_hooks=dict(
        checkpoint=dict(type='CheckpointHook', interval=1)))))
    out = capsys.readouterr().out
    assert out.startswith('warning: default_hooks.checkpoint is MMEngine')
    assert out.count('\n') == 1
