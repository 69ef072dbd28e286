"""Where each participant stands and which group they fall in (runs in the worker).

PCA of the vote matrix to two dimensions, then k-means for k = 2..5 with k chosen by silhouette,
as Pol.is does; docs/opinion.md gives the numbers below and why.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from .ballots import MIN_PARTICIPANTS
from .matrix import VoteMatrix
from .silhouette import Silhouettes

SEED = 0  # every random choice is seeded: the same votes give the same map
MAX_GROUPS = 5
# Best silhouette under this: the room has no real groups. A room of random votes scores up to
# ~0.57 with 15 people, ~0.52 with 30, ~0.43 with 50 to 100 (docs/opinion.md), so small rooms
# must show clearer groups: (fewer placed participants than, threshold), else NO_GROUPS_BELOW.
SMALL_ROOMS = ((50, 0.6), (100, 0.5))
NO_GROUPS_BELOW = 0.45
N_INIT = 4  # k-means restarts per k
DIRECT_UP_TO = 2000  # above this many participants, cluster base clusters instead
BASE_CLUSTERS = 100  # as Pol.is
SILHOUETTE_SAMPLE = 2000  # participants the silhouette is measured on (exact up to this)

Points = NDArray[np.float64]
Labels = NDArray[np.int64]


def positions(matrix: VoteMatrix,
              previous: Mapping[str, tuple[float, float]] | None = None) -> Points:
    """Each participant's (x, y): a missing vote is the statement's mean (0 after centring),
    then PCA to two components, each participant scaled by sqrt(statements / answered) so a
    sparse voter is not pulled into the middle (Pol.is's sparsity-aware scaling). An axis is
    mirrored when that keeps the participants of the `previous` map on their side of it, so
    the map does not flip from one recomputation to the next."""
    values = matrix.values
    voted = matrix.voted
    answered = voted.sum(axis=0)
    means = np.divide(np.nansum(values, axis=0), answered, out=np.zeros(values.shape[1]),
                      where=answered > 0)
    filled = np.where(voted, values, means)
    points = np.zeros((len(values), 2))
    components = min(2, *filled.shape)
    if components:
        points[:, :components] = PCA(components, random_state=SEED).fit_transform(filled)
    points *= np.sqrt(values.shape[1] / np.maximum(1, voted.sum(axis=1)))[:, np.newaxis]
    if previous:
        _orient(points, matrix.participants, previous)
    return points


def _orient(points: Points, participants: tuple[str, ...],
            previous: Mapping[str, tuple[float, float]]) -> None:
    rows = [i for i, p in enumerate(participants) if p in previous]
    if not rows:
        return
    before = np.array([previous[participants[i]] for i in rows])
    for axis in (0, 1):
        if float(np.dot(points[rows, axis], before[:, axis])) < 0:
            points[:, axis] *= -1


@dataclass(frozen=True, slots=True)
class Clustering:
    """The groups found: a label per participant (None: no groups), k, and the silhouette of
    the best k (None when it was not measured)."""

    labels: Labels | None
    k: int
    silhouette: float | None
    why_none: str | None = None  # "too_few" or "no_structure" when labels is None


def find_groups(points: Points) -> Clustering:
    """k-means for k in 2..5, the k with the best silhouette; no groups when fewer than
    MIN_PARTICIPANTS are placed or the best silhouette is too low for the room's size. Above
    DIRECT_UP_TO participants k-means runs on BASE_CLUSTERS base clusters weighted by size
    (Pol.is's way), and the silhouette is measured on a fixed sample of participants; small
    rooms need a higher silhouette (`no_groups_below`)."""
    n = len(points)
    if n < MIN_PARTICIPANTS:
        return Clustering(None, 0, None, "too_few")
    base: Labels | None = None
    targets, weights = points, None
    if n > DIRECT_UP_TO:
        fitted = KMeans(BASE_CLUSTERS, n_init=1, random_state=SEED).fit(points)
        base = fitted.labels_.astype(np.int64)
        targets = fitted.cluster_centers_
        weights = np.bincount(base, minlength=BASE_CLUSTERS).astype(float)
    sample = _sample(n)
    silhouettes = Silhouettes(points[sample])  # the distances once, for every k
    best: Clustering | None = None
    # identical answers make identical points: never ask for more groups than distinct points
    distinct = len(np.unique(targets.round(9), axis=0))
    for k in range(2, min(MAX_GROUPS, distinct, len(targets) - 1) + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = KMeans(k, n_init=N_INIT, random_state=SEED).fit(targets,
                                                                    sample_weight=weights)
        labels = model.labels_.astype(np.int64)
        if base is not None:
            labels = labels[base]
        if len(np.unique(labels[sample])) < 2:
            continue
        score = silhouettes.score(labels[sample])
        if best is None or best.silhouette is None or score > best.silhouette:
            best = Clustering(labels, k, score)
    if best is None:
        return Clustering(None, 0, None, "no_structure")
    if best.silhouette is not None and best.silhouette < no_groups_below(n):
        return Clustering(None, 0, best.silhouette, "no_structure")
    return best


def no_groups_below(placed: int) -> float:
    """The silhouette a room of `placed` participants must reach to have groups."""
    return next((t for size, t in SMALL_ROOMS if placed < size), NO_GROUPS_BELOW)


def _sample(n: int) -> NDArray[np.int64]:
    if n <= SILHOUETTE_SAMPLE:
        return np.arange(n)
    rng = np.random.default_rng(SEED)
    return np.sort(rng.choice(n, SILHOUETTE_SAMPLE, replace=False))
