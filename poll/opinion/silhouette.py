"""The silhouette of a clustering, for several clusterings of the same points (runs in the worker).

scikit-learn's `silhouette_score` gives the same value (tests/test_opinion.py checks it to 1e-9),
but per call it computes every distance again and sums them with a loop over the points: 25 ms
for 2,000 points, four times per map (k = 2..5), 100 of a map's 115 ms (docs/performance.md,
"The opinion map"). Here the distances are computed once per map and each clustering's sums are
one matrix product: 9 ms once, then about 3 ms per k.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.distance import pdist, squareform


class Silhouettes:
    """The silhouettes of clusterings of one set of points, their distances computed once."""

    def __init__(self, points: NDArray[np.float64]) -> None:
        self.distances: NDArray[np.float64] = squareform(pdist(points))

    def score(self, labels: NDArray[np.int64]) -> float:
        """The mean silhouette coefficient of `labels` (one per point, at least two distinct
        values): for each point, (b - a) / max(a, b), a its mean distance to the rest of its
        own cluster, b the least mean distance to another cluster; 0 for a point alone in its
        cluster, and for a point whose a and b are both 0 (as scikit-learn has it)."""
        _, codes = np.unique(labels, return_inverse=True)
        codes = codes.ravel()
        rows = np.arange(len(codes))
        members = np.zeros((len(codes), int(codes.max()) + 1))
        members[rows, codes] = 1.0
        sums = self.distances @ members  # each point's summed distance to each cluster
        sizes = members.sum(axis=0)
        own = sizes[codes]
        a = sums[rows, codes] / np.maximum(own - 1, 1)
        means = sums / sizes
        means[rows, codes] = np.inf
        b = means.min(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            each = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
        return float(np.nan_to_num(each).mean())
