from .base import BaseSelfSupervisor, MomentumSelfSupervisor
from .byol import BYOL
from .densecl import DenseCL
from .detcon import DetConB, DetConS
from .mocov2 import MoCoV2
from .pixpro import PixPro
from .point_cmae import PointCMAE
from .point_contrast import PointContrast
from .slotcon import SlotCon

__all__ = ['BaseSelfSupervisor', 'MomentumSelfSupervisor', 'BYOL', 'DenseCL',
           'DetConB', 'DetConS',
           'MoCoV2', 'PixPro', 'PointCMAE', 'PointContrast', 'SlotCon']
