"""tools/gpu_bundle.py (what a lent GPU machine lacks) and
tools/gpu_device_run.sh (installing it there and running the check)."""
import importlib.metadata as md
import json
import os
import os.path as osp
import subprocess
import sys
import zipfile

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import gpu_bundle  # noqa: E402

# a made-up index: name -> (version, requirements)
FAKE = {
    'app': ('1.0', ['lib>=2', 'old; python_version < "3.11"',
                    'winonly; sys_platform == "win32"',
                    'extra-a; extra == "x"',
                    'imaged', 'pinned<5', 'opencv-python']),
    'lib': ('2.1', ['leaf']),
    'leaf': ('0.3', None),
    'old': ('1.0', None),
    'imaged': ('9.0', ['never-walked']),
    'pinned': ('4.2', None),
}


def fake_plan(roots, image, python_version='3.12', index=FAKE):
    def version(name):
        if name not in index:
            raise md.PackageNotFoundError(name)
        return index[name][0]
    return gpu_bundle.plan(roots, image, python_version,
                           requires=lambda n: index[n][1], version=version)


def test_plan_follows_markers_and_leaves_what_the_image_has():
    image = {'imaged', 'pinned', 'opencv-python-headless'}
    carry = fake_plan(['app'], image)
    # 'old' only below 3.11, 'winonly' only on Windows, extras never;
    # the image's package is not followed ('never-walked' would fail);
    # an upper-bounded one goes along although the image has it;
    # opencv-python is met by the image's headless build
    assert carry == {'app': '1.0', 'leaf': '0.3', 'lib': '2.1',
                     'pinned': '4.2'}
    assert fake_plan(['app'], image, '3.10')['old'] == '1.0'


def test_plan_errors_name_the_package_and_the_fix():
    with pytest.raises(ValueError, match='never-walked is needed.*'
                       'tools/install.sh'):
        fake_plan(['imaged'], set())
    with pytest.raises(ValueError, match=r'lib 2.1 is installed here, but '
                       r'lib>=3 is required'):
        fake_plan(['lib>=3'], set())


def test_the_real_plan_is_closed_over_the_image():
    carry = gpu_bundle.plan(gpu_bundle.core_requirements(),
                            gpu_bundle.DEVICE_IMAGE)
    assert 'mmengine' in carry and 'torch' not in carry
    assert carry['mmengine'] == md.version('mmengine')
    covered = set(carry) | set(gpu_bundle.DEVICE_IMAGE) | set(
        gpu_bundle.PROVIDED_BY)
    for name in carry:  # every unconditional need of a carried package
        for req in md.requires(name) or []:
            req = Requirement(req)
            if req.marker is None:
                assert canonicalize_name(req.name) in covered, (name, req)


def test_dry_run_lists_and_downloads_nothing(tmp_path, capsys):
    gpu_bundle.main(['--dry-run', '--dest', str(tmp_path / 'w')])
    out = capsys.readouterr().out
    assert 'mmengine ' + md.version('mmengine') in out
    assert not (tmp_path / 'w').exists()


def fake_wheel(folder):
    """A minimal pure-Python wheel pip installs without an index."""
    name, ver = 'densessl_probe_pkg', '0.0.1'
    path = folder / f'{name}-{ver}-py3-none-any.whl'
    info = f'{name}-{ver}.dist-info'
    files = {f'{name}/__init__.py': 'VALUE = 7\n',
             f'{info}/METADATA': f'Metadata-Version: 2.1\nName: {name}\n'
                                 f'Version: {ver}\n',
             f'{info}/WHEEL': 'Wheel-Version: 1.0\nGenerator: test\n'
                              'Root-Is-Purelib: true\nTag: py3-none-any\n'}
    files[f'{info}/RECORD'] = ''.join(f'{f},,\n' for f in files) + \
        f'{info}/RECORD,,\n'
    with zipfile.ZipFile(path, 'w') as zf:
        for arc, text in files.items():
            zf.writestr(arc, text)
    return path


def device_run(tmp_path, args, wheels):
    env = dict(os.environ, WHEELS=str(wheels), SITE=str(tmp_path / 'site'),
               OUT=str(tmp_path / 'out'), PYTHON=sys.executable)
    return subprocess.run(['bash', osp.join(ROOT, 'tools/gpu_device_run.sh'),
                           *args], cwd='/', capture_output=True, text=True,
                          env=env)


def test_device_run_installs_checks_and_passes_the_exit_status(tmp_path):
    wheels = tmp_path / 'whl'
    wheels.mkdir()
    fake_wheel(wheels)
    # a negative tolerance fails the check: its status must survive the tee
    proc = device_run(tmp_path, [
        '--device', 'cpu', '--backbone', 'resnet18', '--size', '64',
        '--batch', '2', '--steps', '1', '--methods', 'mocov2', '--no-train',
        '--tolerance', '-1'], wheels)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert (tmp_path / 'site' / 'densessl_probe_pkg' / '__init__.py').exists()
    out = tmp_path / 'out'
    report = json.loads((out / 'gpu_check.json').read_text())
    assert report['ok'] is False and report['device'] == 'cpu'
    assert 'SOME CHECKS FAILED' in (out / 'gpu_check.log').read_text()
    assert (out / 'nvidia-smi.txt').read_text().strip()


def test_device_run_without_wheels_or_torch_is_one_line(tmp_path):
    empty = tmp_path / 'none'
    empty.mkdir()
    proc = device_run(tmp_path, [], empty)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: no wheels in {empty}: run '.venv/bin/python "
        "tools/gpu_bundle.py' on a machine with PyPI and carry its .whl "
        'folder']
    fake_wheel(empty)
    env = dict(os.environ, WHEELS=str(empty), PYTHON='/bin/false')
    proc = subprocess.run(['bash', osp.join(ROOT, 'tools/gpu_device_run.sh')],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(
        'error: /bin/false cannot import torch')
