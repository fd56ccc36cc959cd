"""One clear line for a user's mistake (exit 2, traceback on --debug),
atomic writes that follow the umask and leave no stray temporaries."""
import os
import stat

import pytest

from densessl.utils.cli import EXIT_USER_ERROR, run_tool
from densessl.utils.io import (TMP_PREFIX, atomic_write_bytes,
                               remove_stale_temporaries)


def test_a_user_error_is_one_line_and_exit_2(capsys):
    def main(argv):
        assert argv == ['a', 'b']  # --debug is taken out
        raise FileNotFoundError('no folder x/y\n(expected x/img_dir)')
    with pytest.raises(SystemExit) as exit_:
        run_tool(main, ['a', 'b'])
    assert exit_.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: no folder x/y; (expected x/img_dir)')
    assert len(err.splitlines()) == 1 and 'Traceback' not in err
    with pytest.raises(FileNotFoundError):
        run_tool(main, ['a', '--debug', 'b'])


def test_key_errors_and_tool_messages_and_real_bugs(capsys, monkeypatch):
    def key(argv):
        raise KeyError('unknown key "x"')
    with pytest.raises(SystemExit):
        run_tool(key, [])
    assert capsys.readouterr().err.startswith('error: unknown key "x"')

    def tool_message(argv):
        raise SystemExit('error: the tool said so')
    with pytest.raises(SystemExit) as exit_:
        run_tool(tool_message, [])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip() == 'error: the tool said so'

    def bug(argv):
        raise ZeroDivisionError('a bug, not a user error')
    with pytest.raises(ZeroDivisionError):  # bugs keep their traceback
        run_tool(bug, [])
    monkeypatch.setenv('DENSESSL_DEBUG', '1')
    with pytest.raises(KeyError):
        run_tool(key, [])


def test_runtime_errors_are_bugs_and_keep_their_traceback():
    def deep(argv):
        raise RecursionError('maximum recursion depth exceeded')
    with pytest.raises(RecursionError):
        run_tool(deep, [])


def test_atomic_writes_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(b'x', str(tmp_path / 'a.bin'))
        os.umask(0o077)
        atomic_write_bytes(b'y', str(tmp_path / 'b.bin'))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / 'a.bin').st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / 'b.bin').st_mode) == 0o600
    assert (tmp_path / 'a.bin').read_bytes() == b'x'


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path,
                                                              monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    atomic_write_bytes(b'old checkpoint', str(target))

    def disk_full(*args):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', disk_full)
    with pytest.raises(OSError, match='No space left'):
        atomic_write_bytes(b'new', str(target))
    assert target.read_bytes() == b'old checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['epoch_1.pth']


def test_stale_temporaries_are_removed_and_named(tmp_path):
    (tmp_path / f'{TMP_PREFIX}abc').write_bytes(b'half a checkpoint')
    (tmp_path / 'epoch_1.pth').write_bytes(b'kept')
    removed = remove_stale_temporaries(str(tmp_path))
    assert [os.path.basename(p) for p in removed] == [f'{TMP_PREFIX}abc']
    assert [p.name for p in tmp_path.iterdir()] == ['epoch_1.pth']


def test_evaluating_restores_the_mode_also_after_an_error():
    import torch

    from densessl.utils.model_state import evaluating
    net = torch.nn.Sequential(torch.nn.BatchNorm1d(2)).train()
    with evaluating(net):
        assert not net.training and not net[0].training
    assert net.training and net[0].training
    net.eval()
    with pytest.raises(RuntimeError):
        with evaluating(net):
            raise RuntimeError('boom')
    assert not net.training


def test_a_cfg_option_mmengine_cannot_parse_is_one_line(capsys):
    import argparse

    from mmengine.config import DictAction

    def main(argv):
        parser = argparse.ArgumentParser()
        parser.add_argument('--cfg-options', nargs='+', action=DictAction)
        return parser.parse_args(argv)
    with pytest.raises(SystemExit) as exit_:
        run_tool(main, ['--cfg-options',
                        'param_scheduler=[dict(type="X",t=1)]'])
    assert exit_.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and '--cfg-options' in err

    # elsewhere a RecursionError is a bug and keeps its traceback
    def recurse(argv):
        return recurse(argv)
    with pytest.raises(RecursionError):
        run_tool(recurse, [])
