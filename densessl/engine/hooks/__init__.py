from .bn_recalibration_hook import BNRecalibrationHook
from .dense_quality_hook import DenseQualityHook
from .densecl_warmup_hook import DenseCLWarmupHook
from .ema_decay_hook import CosineEMADecayHook
from .loss_curve_hook import LossCurveHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .similarity_map_hook import SimilarityMapHook
from .step_seed_hook import StepSeedHook

__all__ = ['BNRecalibrationHook', 'CosineEMADecayHook', 'DenseCLWarmupHook',
           'DenseQualityHook', 'LossCurveHook', 'SafeCheckpointHook',
           'SimilarityMapHook', 'StepSeedHook']
