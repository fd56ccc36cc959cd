"""densessl registries: children of MMEngine's roots.

Every registry carries lazy ``locations`` so that ``type='densessl.X'`` in an
mmseg / mmdet / mmengine config resolves without ``custom_imports``: MMEngine
imports the listed modules the first time the ``densessl`` scope is searched.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import \
    RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

SCOPE = 'densessl'


def _child(name, parent, locations):
    return Registry(name, parent=parent, scope=SCOPE, locations=locations)


RUNNERS = _child('runner', MMENGINE_RUNNERS, ['densessl.engine'])
RUNNER_CONSTRUCTORS = _child('runner constructor',
                             MMENGINE_RUNNER_CONSTRUCTORS, ['densessl.engine'])
LOOPS = _child('loop', MMENGINE_LOOPS, ['densessl.engine'])
HOOKS = _child('hook', MMENGINE_HOOKS, ['densessl.engine'])
LOG_PROCESSORS = _child('log processor', MMENGINE_LOG_PROCESSORS,
                        ['densessl.engine'])
OPTIMIZERS = _child('optimizer', MMENGINE_OPTIMIZERS, ['densessl.engine'])
OPTIM_WRAPPERS = _child('optim wrapper', MMENGINE_OPTIM_WRAPPERS,
                        ['densessl.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                    ['densessl.engine'])
PARAM_SCHEDULERS = _child('parameter scheduler', MMENGINE_PARAM_SCHEDULERS,
                          ['densessl.engine'])

DATASETS = _child('dataset', MMENGINE_DATASETS, ['densessl.datasets'])
DATA_SAMPLERS = _child('data sampler', MMENGINE_DATA_SAMPLERS,
                       ['densessl.datasets'])
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS,
                    ['densessl.datasets.transforms'])

MODELS = _child('model', MMENGINE_MODELS, ['densessl.models'])
MODEL_WRAPPERS = _child('model_wrapper', MMENGINE_MODEL_WRAPPERS,
                        ['densessl.models'])
WEIGHT_INITIALIZERS = _child('weight initializer',
                             MMENGINE_WEIGHT_INITIALIZERS, ['densessl.models'])
TASK_UTILS = _child('task util', MMENGINE_TASK_UTILS, ['densessl.models'])

METRICS = _child('metric', MMENGINE_METRICS, ['densessl.evaluation'])
EVALUATOR = _child('evaluator', MMENGINE_EVALUATOR, ['densessl.evaluation'])

VISUALIZERS = _child('visualizer', MMENGINE_VISUALIZERS,
                     ['densessl.visualization'])
VISBACKENDS = _child('vis_backend', MMENGINE_VISBACKENDS,
                     ['densessl.visualization'])
