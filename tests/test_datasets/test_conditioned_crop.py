"""SlotCon's conditioned second crop overlaps the first as the official
pipeline does."""
import random

import numpy as np


def test_conditioned_crop_overlaps_reference():
    from densessl.datasets.transforms import MultiView
    from densessl.datasets.transforms.geometric import _intersection_area
    random.seed(0)
    img = np.zeros((100, 100, 3), np.uint8)
    first = dict(type='RandomResizedCropCoord', size=16, scale=(0.1, 0.15))

    def overlap_rate(min_overlap):
        second = dict(type='RandomResizedCropCoord', size=16,
                      scale=(0.1, 0.15), min_overlap=min_overlap)
        hits = 0
        for _ in range(200):
            views = MultiView([[first], [second]], num_views=[1, 1])(
                dict(img=img))['views']
            boxes = [[v * 99 for v in view['crop_box']] for view in views]
            edges = [(b[0], b[1], b[2] + 1, b[3] + 1) for b in boxes]
            area = (edges[1][2] - edges[1][0]) * (edges[1][3] - edges[1][1])
            hits += _intersection_area(edges[0], edges[1]) >= 0.01 * area
        return hits / 200

    conditioned, independent = overlap_rate(0.01), overlap_rate(None)
    # one draw overlaps ~60% of the time; ten draws almost always
    assert conditioned > 0.95 and independent < 0.8
