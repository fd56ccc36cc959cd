"""The suite's conftest keeps pytest's closing summary line even under
``-qq``, so a run always says how many tests passed."""
import os
import subprocess
import sys

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(tmp_path, *args):
    (tmp_path / 'test_sample.py').write_text(
        'def test_one():\n    assert 1 + 1 == 2\n\n'
        'def test_two():\n    assert [1] * 2 == [1, 1]\n')
    env = dict(os.environ, PYTHONPATH=TESTS + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    return subprocess.run(
        [sys.executable, '-m', 'pytest', *args, '-p', 'no:cacheprovider',
         str(tmp_path / 'test_sample.py')], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=300)


def test_summary_line_survives_double_quiet(tmp_path):
    plain = _run(tmp_path, '-qq')  # pytest alone: no summary at -qq
    assert plain.returncode == 0 and '2 passed' not in plain.stdout
    ours = _run(tmp_path, '-qq', '-p', 'conftest')
    assert ours.returncode == 0
    assert '2 passed' in ours.stdout.splitlines()[-1]
