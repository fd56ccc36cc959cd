"""High-level entry points used by the tools."""
from .inference import (dense_features, init_model, load_weights,
                        recalibrate_bn, request_levels)
from .transfer import prepare_config, run_transfer

__all__ = ['dense_features', 'init_model', 'load_weights', 'recalibrate_bn',
           'request_levels',
           'prepare_config', 'run_transfer']
