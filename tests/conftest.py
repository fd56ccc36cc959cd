import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _densessl_scope():
    # Every test starts in the densessl scope, whatever scope (mmseg, mmdet)
    # an earlier transfer test left behind.
    from mmengine.registry import DefaultScope

    from densessl.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('densessl'):
        yield
