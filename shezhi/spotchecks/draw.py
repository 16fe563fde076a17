"""The draw of a spot-check campaign: a pure function anyone can run again.

Nothing here reads the database or the clock. Given the same sorted organization ids,
sorted inspector ids, excluded pairs, seed text and sample size, `draw` returns the same
list on any machine, today or in ten years. The steps, in plain words (the public redraw
page says the same):

1. The seed text is encoded as UTF-8 and hashed with SHA-256; the 256-bit digest, read as
   one big-endian number, seeds Python's Mersenne Twister (`random.Random(number)`).
   Only `random()` is used (Python guarantees its sequence for a given seed across
   versions); "a random index below k" is always `floor(random() * k)`.
2. Organizations: the pool's ids in ascending order are shuffled partially, Fisher–Yates
   style: for position i = 0, 1, …, n−1, an index j from i to the end is chosen
   (j = i + floor(random() × (pool − i))) and the ids at i and j swap. The first n ids,
   in this order, are the sample.
3. Inspectors, organization by organization in the sample's order: the eligible
   inspectors are those without a conflict with the organization (ascending ids). Two are
   picked one after the other: among the eligible not yet picked for this organization,
   those with the fewest checks so far are the candidates (ascending ids), and one of them
   is chosen with floor(random() × candidates). So every inspector gets about the same
   number of checks and nobody is paired with an organization they are linked to.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal

ALGORITHM_VERSION = 1
INSPECTORS_PER_CHECK = 2  # 双随机: at least two inspectors on site


class DrawImpossible(ValueError):
    """An organization of the sample has fewer than two inspectors without a conflict."""

    def __init__(self, organization_id: int, eligible: int):
        super().__init__(f"organization {organization_id} has {eligible} eligible inspectors, {INSPECTORS_PER_CHECK} are needed")
        self.organization_id = organization_id
        self.eligible = eligible


def seed_number(seed: str) -> int:
    """The number that seeds the generator: the SHA-256 digest of the seed's UTF-8 bytes."""
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")


def sample_size(pool: int, ratio_percent: Decimal | int | str) -> int:
    """ceil(pool × ratio / 100), at least 1 when the pool is not empty, at most the pool.
    Decimal arithmetic: 3% of 100 is exactly 3, 3% of 101 is 3.03, so 4."""
    if pool <= 0:
        return 0
    exact = Decimal(pool) * Decimal(str(ratio_percent)) / Decimal(100)
    return max(1, min(pool, math.ceil(exact)))


def pool_text(org_ids: Sequence[int], inspector_ids: Sequence[int], conflicts: Iterable[tuple[int, int]]) -> str:
    """The canonical text of a draw's input, hashed for the published pool hash:
    three lines, ids in ascending order, pairs as organization-inspector."""
    pairs = sorted((int(o), int(i)) for o, i in conflicts)
    return (
        "organizations:"
        + ",".join(str(int(o)) for o in org_ids)
        + "\ninspectors:"
        + ",".join(str(int(i)) for i in inspector_ids)
        + "\nconflicts:"
        + ",".join(f"{o}-{i}" for o, i in pairs)
        + "\n"
    )


def pool_hash(org_ids: Sequence[int], inspector_ids: Sequence[int], conflicts: Iterable[tuple[int, int]]) -> str:
    return hashlib.sha256(pool_text(org_ids, inspector_ids, conflicts).encode("utf-8")).hexdigest()


def _ascending_ids(values: Sequence[int], name: str) -> list[int]:
    ids = [int(v) for v in values]
    if any(b <= a for a, b in itertools.pairwise(ids)):
        raise ValueError(f"{name} must be sorted ascending without repeats")
    return ids


def _index(rng: random.Random, k: int) -> int:
    return int(rng.random() * k)  # 0 <= index < k: random() < 1 and k < 2**53


def draw(
    org_ids: Sequence[int], inspector_ids: Sequence[int], conflicts: set[tuple[int, int]], seed: str, sample_size: int
) -> list[tuple[int, int, int]]:
    """The sample as (organization id, first inspector id, second inspector id), in draw order.

    Raises ValueError for malformed input and DrawImpossible when a drawn organization has
    fewer than two inspectors without a conflict."""
    orgs = _ascending_ids(org_ids, "organization ids")
    inspectors = _ascending_ids(inspector_ids, "inspector ids")
    if not isinstance(sample_size, int) or sample_size < 0 or sample_size > len(orgs):
        raise ValueError("the sample size is between 0 and the size of the pool")
    excluded = {(int(o), int(i)) for o, i in conflicts}
    rng = random.Random(seed_number(seed))

    for i in range(sample_size):
        j = i + _index(rng, len(orgs) - i)
        orgs[i], orgs[j] = orgs[j], orgs[i]
    chosen = orgs[:sample_size]

    load = dict.fromkeys(inspectors, 0)
    result: list[tuple[int, int, int]] = []
    for org in chosen:
        eligible = [i for i in inspectors if (org, i) not in excluded]
        if len(eligible) < INSPECTORS_PER_CHECK:
            raise DrawImpossible(org, len(eligible))
        picked: list[int] = []
        for _round in range(INSPECTORS_PER_CHECK):
            candidates = [i for i in eligible if i not in picked]
            least = min(load[i] for i in candidates)
            tied = [i for i in candidates if load[i] == least]
            pick = tied[_index(rng, len(tied))]
            load[pick] += 1
            picked.append(pick)
        result.append((org, picked[0], picked[1]))
    return result
