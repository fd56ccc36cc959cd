"""Published checkpoints in, densessl / timm / torchvision / mm-resnet /
detectron2 layouts out (``tools/convert_checkpoint.py``)."""
from .convert import (TARGETS, Report, convert_checkpoint, convert_state,
                      target_state)
from .formats import FORMATS, detect_format, formats_help, unwrap

__all__ = ['TARGETS', 'FORMATS', 'Report', 'convert_checkpoint',
           'convert_state', 'detect_format', 'formats_help', 'target_state',
           'unwrap']
