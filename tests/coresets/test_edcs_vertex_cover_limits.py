"""edcs_vertex_cover under a time limit: no default limit, the exact cover of the forwarded
edges gets only the time left after the core-sets and the certificate, and a limit that stops
or skips it is reported as status "timeout" (the matching cover, with its guarantee, kept)."""

import inspect

import pytest

from submodkit.coresets.edcs_vertex_cover import edcs_vertex_cover
from submodkit.instances.generators import random_graph
from submodkit.solvers.cover.vertex_cover import is_vertex_cover


def test_no_default_limit_and_keyword_only_options():
    params = inspect.signature(edcs_vertex_cover).parameters
    assert params["time_limit"].default is None
    for name in ("n_parts", "seed", "engine", "time_limit", "forwarded_cover", "beta"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    with pytest.raises(TypeError):
        edcs_vertex_cover([(0, 1), (1, 2)], 2)


def test_a_limit_that_stops_the_exact_cover_is_a_timeout():
    g = random_graph(2000, 10000, seed=3)
    edges = g.edges
    for fc in ("exact", "auto"):
        sol = edcs_vertex_cover(g, seed=0, forwarded_cover=fc, time_limit=0.05)
        if fc == "auto" and sol.stats["forwarded_uncovered"] > 2000:
            assert sol.status == "feasible"  # "auto" did not ask for the exact cover
            continue
        assert sol.status == "timeout", sol.stats
        assert not sol.stats["forwarded_cover_optimal"]
        assert sol.guarantee.ratio == edcs_vertex_cover(g, seed=0).guarantee.ratio  # c = 2, not 1
        assert is_vertex_cover(edges, sol.selection)
        assert sol.lower_bound <= sol.value


def test_without_a_limit_the_exact_cover_runs_to_its_end():
    e = [(2 * i, 2 * i + 1) for i in range(10)]
    sol = edcs_vertex_cover(e, n_parts=1, beta=8, seed=0, forwarded_cover="exact")
    assert sol.status == "feasible" and sol.value == 10
    assert sol.stats["forwarded_cover_optimal"] and "forwarded_cover_skipped" not in sol.stats
    timed = edcs_vertex_cover(e, n_parts=1, beta=8, seed=0, forwarded_cover="exact", time_limit=30.0)
    assert timed.status == "feasible" and timed.value == 10
