import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True, scope='session')
def _densessl_scope():
    from densessl.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    yield
