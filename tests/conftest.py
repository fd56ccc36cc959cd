import os
import sys

import pytest

# pytest-xdist workers share the cores: uncapped, each worker's torch (and
# each tools/train.py it starts, which inherits this environment) runs one
# OpenMP thread per core, so the workers' thread pools oversubscribe the
# machine. Set before anything imports torch; an explicit setting wins.
_XDIST_WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
if _XDIST_WORKERS > 1:
    os.environ.setdefault(
        'OMP_NUM_THREADS', str(max(1, (os.cpu_count() or 1) // _XDIST_WORKERS)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config):
    # pytest prints its closing "N passed" line only at verbosity >= -1, so
    # ``-qq`` (or ``-q`` on top of a ``-q`` in addopts, as setup.cfg had)
    # ends a run after the progress dots; keep that line whatever is passed.
    if config.option.verbose < -1:
        config.option.verbose = -1


@pytest.fixture(autouse=True, scope='session')
def _private_cache(tmp_path_factory):
    # region masks etc. are cached in a directory of the run, not ~/.cache
    os.environ['DENSESSL_CACHE'] = str(tmp_path_factory.mktemp('cache'))
    yield


@pytest.fixture(autouse=True)
def _densessl_scope():
    # Every test starts in the densessl scope, whatever scope (mmseg, mmdet)
    # an earlier transfer test left behind.
    from mmengine.registry import DefaultScope

    from densessl.setup_env import register_all_modules
    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('densessl'):
        yield
