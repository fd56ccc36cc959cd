"""High-level entry points used by the tools."""
from .inference import (dense_features, init_model, load_weights,
                        recalibrate_bn)
from .transfer import prepare_config, run_transfer

__all__ = ['dense_features', 'init_model', 'load_weights', 'recalibrate_bn',
           'prepare_config', 'run_transfer']
