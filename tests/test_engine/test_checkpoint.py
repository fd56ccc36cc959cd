import io
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from densessl.engine import ATOMIC_BACKEND, use_safe_checkpoints
from densessl.engine.hooks.safe_checkpoint_hook import (SafeCheckpointHook,
                                                        repair_last_checkpoint)
from densessl.utils.io import atomic_write_bytes


def test_message_hub_round_trips_through_weights_only_load():
    hub = MessageHub.get_instance('test-safe-ckpt')
    for i in range(5):
        hub.update_scalar('train/loss', float(i), count=2)
    hub.update_info('eta', np.float64(3.5))
    checkpoint = dict(message_hub=hub.state_dict(), meta=dict(seed=0))
    SafeCheckpointHook().before_save_checkpoint(None, checkpoint)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)  # would fail otherwise
    SafeCheckpointHook().after_load_checkpoint(None, loaded)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    original = hub.get_scalar('train/loss')
    assert restored is not original
    assert restored.data[0].tolist() == original.data[0].tolist()
    assert restored.data[1].tolist() == original.data[1].tolist() == [2] * 5
    assert restored.mean() == original.mean()
    assert restored.max_length == original.max_length
    assert loaded['message_hub']['runtime_info']['eta'] == 3.5


def test_plain_mmengine_message_hub_is_refused_by_safe_loader():
    hub = MessageHub.get_instance('test-unsafe-ckpt')
    hub.update_scalar('train/loss', 1.0)
    buffer = io.BytesIO()
    torch.save(dict(message_hub=hub.state_dict()), buffer)
    buffer.seek(0)
    with pytest.raises(Exception, match='HistoryBuffer'):
        torch.load(buffer, weights_only=True)


def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    atomic_write_bytes(b'old', str(target))

    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:1])
            raise KeyboardInterrupt('interrupted mid-write')

    monkeypatch.setattr(os, 'fdopen',
                        lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(b'new content', str(target))
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temp file left


def test_the_atomic_backend_is_asked_for_not_swapped_in(tmp_path):
    from mmengine.fileio import get_file_backend
    backend = get_file_backend(str(tmp_path / 'x.pth'),
                               backend_args=dict(backend=ATOMIC_BACKEND))
    assert type(backend).__name__ == 'AtomicLocalBackend'
    backend.put(b'abc', str(tmp_path / 'sub' / 'x.pth'))
    assert (tmp_path / 'sub' / 'x.pth').read_bytes() == b'abc'
    backend.put_text('hello', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'hello'
    # MMEngine's own local backend stays what it is for everything else
    plain = get_file_backend(str(tmp_path / 'y.pth'))
    assert type(plain).__name__ == 'LocalBackend'
    # the hook writes through it unless told otherwise
    assert SafeCheckpointHook().backend_args == dict(backend=ATOMIC_BACKEND)
    assert SafeCheckpointHook(backend_args=dict(backend='local')
                              ).backend_args == dict(backend='local')


def test_the_run_is_described_by_its_config():
    from mmengine.config import Config
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    cfg = Config.fromfile(os.path.join(
        root, 'configs/byol/byol_resnet18_1xb32-lars-coslr-6e_scenes.py'))
    assert cfg.default_hooks.checkpoint.type == 'SafeCheckpointHook'
    assert not any('SafeCheckpointHook' in str(h.get('type'))
                   for h in cfg.get('custom_hooks', []))
    # configs of other libraries get the hook in place of MMEngine's
    mmseg = Config(dict(default_hooks=dict(checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=500))))
    assert use_safe_checkpoints(mmseg)
    assert mmseg.default_hooks.checkpoint == dict(
        type='densessl.SafeCheckpointHook', by_epoch=False, interval=500)
    assert not use_safe_checkpoints(mmseg)  # already safe


@pytest.mark.parametrize('content', ['', 'WORK/epoch_9.pth'])
def test_a_broken_last_checkpoint_names_the_newest_left(tmp_path, content):
    for step in (2, 10, 3):
        (tmp_path / f'epoch_{step}.pth').write_bytes(b'x')
    marker = tmp_path / 'last_checkpoint'
    marker.write_text(content.replace('WORK', str(tmp_path)))
    with pytest.warns(UserWarning, match='newest checkpoint'):
        found = repair_last_checkpoint(str(tmp_path))
    assert found == str(tmp_path / 'epoch_10.pth')  # by step, not by name
    assert marker.read_text() == found


def test_an_intact_or_hopeless_last_checkpoint(tmp_path):
    (tmp_path / 'iter_5.pth').write_bytes(b'x')
    marker = tmp_path / 'last_checkpoint'
    marker.write_text(str(tmp_path / 'iter_5.pth'))
    assert repair_last_checkpoint(str(tmp_path)) == str(tmp_path /
                                                        'iter_5.pth')
    os.remove(tmp_path / 'iter_5.pth')
    with pytest.warns(UserWarning, match='removed'):
        assert repair_last_checkpoint(str(tmp_path)) is None
    assert not marker.exists()
    assert repair_last_checkpoint(str(tmp_path)) is None  # nothing to do
