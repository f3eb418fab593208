"""Submodular information measures and clustered facility location: values against their
definitions (f(A) + f(Q) - f(A u Q) and kin, on the joint ground set), the monotone and
submodular flags against brute force, greedy's guarantee where one is claimed, submodlib's
values and selections when it is installed, and the selector's names."""

import itertools

import numpy as np
import pytest

import submodkit as sk
from submodkit.errors import InvalidParameterError
from submodkit.objectives import information as info
from submodkit.objectives.facility_location import ClusteredFacilityLocation, FacilityLocation
from submodkit.objectives.graph_cut import SumRedundancy
from submodkit.objectives.log_determinant import LogDeterminant, kernel_matrix


def _instance(seed, n=9, q=3, p=2):
    rng = np.random.default_rng(seed)
    X, Q, P = rng.normal(size=(n, 3)), rng.normal(size=(q, 3)), rng.normal(size=(p, 3))
    J = np.vstack([X, Q, P])
    K = kernel_matrix(J, kernel="rbf", gamma=0.3)
    V, QI, PI = np.arange(n), n + np.arange(q), n + q + np.arange(p)
    return rng, K, V, QI, PI


def _subsets(rng, n, count=20):
    return [sorted(set(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False).tolist()))
            for _ in range(count)]


def _fl(K, elements, A):
    """Facility location over ``elements`` on the joint similarity: sum_i max_{j in A} K[j, i]."""
    if not len(A):
        return 0.0
    return float(K[np.ix_(list(A), elements)].max(axis=0).sum())


def _ld(K, A, lam=1.0):
    A = list(A)
    return float(np.linalg.slogdet(K[np.ix_(A, A)] + lam * np.eye(len(A)))[1]) if A else 0.0


def _scaled(K, V, QI, PI, eta, nu):
    """The joint kernel with the ground-set/query block scaled by eta and ground-set/private by nu."""
    J = K.copy()
    for side, s in ((QI, eta), (PI, nu)):
        J[np.ix_(V, side)] *= s
        J[np.ix_(side, V)] *= s
    return J


@pytest.mark.parametrize("seed", range(5))
def test_facility_location_measures_match_their_definitions(seed):
    rng, K, V, QI, PI = _instance(seed)
    S, SQ, SP = K[np.ix_(V, V)], K[np.ix_(V, QI)], K[np.ix_(V, PI)]
    eta, nu = 0.8, 0.6
    q_i, p_i = SQ.max(axis=1), SP.max(axis=1)
    measures = {
        "FLMI": (info.FacilityLocationMI(S, SQ, eta=eta),
                 lambda A: float(np.minimum(S[A].max(axis=0), eta * q_i).sum()) if A else 0.0),
        "FLVMI": (info.FacilityLocationVMI(SQ, eta=eta),
                  lambda A: float(SQ[A].max(axis=0).sum() + eta * SQ[A].max(axis=1).sum()) if A else 0.0),
        "FLCG": (info.FacilityLocationCG(S, SP, nu=nu),
                 lambda A: float(np.maximum(S[A].max(axis=0) - nu * p_i, 0).sum()) if A else 0.0),
        "FLCMI": (info.FacilityLocationCMI(S, SQ, SP, eta=eta, nu=nu),
                  lambda A: float(np.maximum(np.minimum(S[A].max(axis=0), eta * q_i) - nu * p_i, 0).sum())
                  if A else 0.0),
    }
    for name, (f, ref) in measures.items():
        for A in _subsets(rng, len(V)):
            assert f.evaluate(A) == pytest.approx(ref(A), abs=1e-9), name
    # FLMI with eta = 1 is the mutual information of facility location over V, Q as candidates
    f = info.FacilityLocationMI(S, SQ, eta=1.0)
    for A in _subsets(rng, len(V)):
        AQ = list(A) + QI.tolist()
        want = _fl(K, V, A) + _fl(K, V, QI) - _fl(K, V, AQ)
        assert f.evaluate(A) == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_log_determinant_measures_are_information_on_the_joint_kernel(seed):
    rng, K, V, QI, PI = _instance(seed)
    eta, nu, lam = 0.9, 0.7, 1.0
    S = K[np.ix_(V, V)]
    mi = info.LogDeterminantMI(S, K[np.ix_(V, QI)], K[np.ix_(QI, QI)], eta=eta, regularization=lam)
    cg = info.LogDeterminantCG(S, K[np.ix_(V, PI)], K[np.ix_(PI, PI)], nu=nu, regularization=lam)
    cmi = info.LogDeterminantCMI(S, K[np.ix_(V, QI)], K[np.ix_(QI, QI)], K[np.ix_(V, PI)], K[np.ix_(PI, PI)],
                                 K[np.ix_(QI, PI)], eta=eta, nu=nu, regularization=lam)
    J = _scaled(K, V, QI, PI, eta, nu)
    Q, P = QI.tolist(), PI.tolist()
    for A in _subsets(rng, len(V)):
        f = lambda X: _ld(J, X, lam)  # noqa: E731
        assert mi.evaluate(A) == pytest.approx(f(A) + f(Q) - f(A + Q), abs=1e-8)
        assert cg.evaluate(A) == pytest.approx(f(A + P) - f(P), abs=1e-8)
        assert cmi.evaluate(A) == pytest.approx(f(A + P) + f(Q + P) - f(A + Q + P) - f(P), abs=1e-8)


def test_graph_cut_and_set_cover_measures_match_their_definitions():
    rng, K, V, QI, PI = _instance(1)
    S, SQ, SP = K[np.ix_(V, V)], K[np.ix_(V, QI)], K[np.ix_(V, PI)]
    lam, nu = 0.4, 0.8
    gc = sk.GraphCut(S, lam=lam)
    gcmi, gccg = info.GraphCutMI(SQ, lam=lam), info.GraphCutCG(S, SP, lam=lam, nu=nu)
    sets = [sorted(set(rng.choice(8, size=3).tolist())) for _ in V]
    probs = rng.random((len(V), 8))
    qc, pc = {1, 3, 5}, {3, 6}
    cover = sk.Coverage(sets, n_elements=8)
    pcover = sk.ProbabilisticCoverage(probs)
    for A in _subsets(rng, len(V)):
        assert gcmi.evaluate(A) == pytest.approx(2 * lam * SQ[A].sum(), abs=1e-9)
        assert SumRedundancy(S).evaluate(A) == pytest.approx(-S[np.ix_(A, A)].sum(), abs=1e-9)
        assert gccg.evaluate(A) == pytest.approx(gc.evaluate(A) - 2 * lam * nu * SP[A].sum(), abs=1e-9)
        covered = set().union(*[sets[j] for j in A]) if A else set()
        assert info.SetCoverMI(sets, qc, n_elements=8).evaluate(A) == len(covered & qc)
        assert info.SetCoverCG(sets, pc, n_elements=8).evaluate(A) == len(covered - pc)
        assert info.SetCoverCMI(sets, qc, pc, n_elements=8).evaluate(A) == len((covered & qc) - pc)
        assert cover.evaluate(A) == len(covered)
        miss = np.prod(1 - probs[A], axis=0) if A else np.ones(8)
        mask_q, mask_p = np.isin(np.arange(8), list(qc)), np.isin(np.arange(8), list(pc))
        assert info.ProbabilisticSetCoverMI(probs, qc).evaluate(A) == pytest.approx(
            ((1 - miss) * mask_q).sum())
        assert info.ProbabilisticSetCoverCG(probs, pc).evaluate(A) == pytest.approx(
            ((1 - miss) * ~mask_p).sum())
        assert info.ProbabilisticSetCoverCMI(probs, qc, pc).evaluate(A) == pytest.approx(
            ((1 - miss) * (mask_q & ~mask_p)).sum())
        assert pcover.evaluate(A) == pytest.approx((1 - miss).sum())


def _all_measures(seed):
    rng, K, V, QI, PI = _instance(seed, n=8)
    S, SQ, SP = K[np.ix_(V, V)], K[np.ix_(V, QI)], K[np.ix_(V, PI)]
    QQ, PP, QP = K[np.ix_(QI, QI)], K[np.ix_(PI, PI)], K[np.ix_(QI, PI)]
    sets = [sorted(set(rng.choice(6, size=2).tolist())) for _ in V]
    return {
        "FLMI": info.FacilityLocationMI(S, SQ, eta=0.8),
        "FLVMI": info.FacilityLocationVMI(SQ, eta=0.5),
        "FLCG": info.FacilityLocationCG(S, SP, nu=0.7),
        "FLCMI": info.FacilityLocationCMI(S, SQ, SP),
        "GCMI": info.GraphCutMI(SQ),
        "GCCG": info.GraphCutCG(S, SP, lam=0.3, nu=1.0),
        "SCMI": info.SetCoverMI(sets, {0, 2}, n_elements=6),
        "PSCCMI": info.ProbabilisticSetCoverCMI(rng.random((8, 6)), [0, 1, 2], [2]),
        "LDMI": info.LogDeterminantMI(S, SQ, QQ, eta=0.9),
        "LDCG": info.LogDeterminantCG(S, SP, PP, nu=0.8),
        "LDCMI": info.LogDeterminantCMI(S, SQ, QQ, SP, PP, QP, eta=0.9, nu=0.9),
        "CFL": ClusteredFacilityLocation(S, labels=np.arange(8) % 3),
        "SR": SumRedundancy(S),
        "LD": LogDeterminant(S),
    }


@pytest.mark.parametrize("seed", range(4))
def test_flags_hold_by_brute_force_and_greedy_keeps_its_guarantee(seed):
    """Every claimed property holds on every subset; greedy reaches 1 - 1/e of the brute-force
    optimum wherever a guarantee is reported."""
    for name, f in _all_measures(seed).items():
        n = f.n
        values = {A: f.evaluate(list(A)) for r in range(n + 1) for A in itertools.combinations(range(n), r)}
        for A, v in values.items():
            for j in range(n):
                if j in A:
                    continue
                gain = values[tuple(sorted(A + (j,)))] - v
                if f.monotone:
                    assert gain >= -1e-9, name
                if f.submodular:
                    for i in range(n):
                        if i not in A and i != j:
                            bigger = tuple(sorted(A + (i,)))
                            assert values[tuple(sorted(bigger + (j,)))] - values[bigger] <= gain + 1e-9, name
        for k in (2, 3):
            sol = sk.maximize(f, k)
            opt = max(v for A, v in values.items() if len(A) <= k)
            assert sol.value == pytest.approx(f.evaluate(sol.selection), abs=1e-9)
            if sol.guarantee is not None:
                assert f.monotone and f.submodular
                assert sol.value >= (1 - (1 - 1 / k) ** k) * opt - 1e-9, name


def test_log_determinant_mutual_information_is_not_submodular():
    """The flag is earned: a brute-force counterexample to diminishing returns exists."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        X, Q = rng.normal(size=(5, 2)), rng.normal(size=(1, 2))
        J = kernel_matrix(np.vstack([X, Q]), kernel="rbf", gamma=1.0)
        f = info.LogDeterminantMI(J[:5, :5], J[:5, 5:], J[5:, 5:])
        for A, i, j in itertools.permutations(range(5), 3):
            if f.evaluate([A, i, j]) - f.evaluate([A, i]) > f.evaluate([A, j]) - f.evaluate([A]) + 1e-6:
                assert not f.submodular
                return
    pytest.fail("no counterexample found")


def test_clustered_facility_location_is_a_sum_over_clusters():
    rng = np.random.default_rng(3)
    X = rng.random((30, 4))
    S = np.maximum(X @ X.T, 0.0)
    labels = rng.integers(0, 4, 30)
    f = ClusteredFacilityLocation(S, labels)
    g = ClusteredFacilityLocation(__import__("scipy.sparse", fromlist=["csr_matrix"]).csr_matrix(S), labels)
    for A in _subsets(rng, 30):
        want = 0.0
        for c in np.unique(labels):
            members = np.flatnonzero(labels == c)
            inside = [j for j in A if labels[j] == c]
            want += FacilityLocation(S[np.ix_(members, members)]).evaluate(
                [int(np.flatnonzero(members == j)[0]) for j in inside])
        assert f.evaluate(A) == pytest.approx(want, abs=1e-9)
        assert g.evaluate(A) == pytest.approx(want, abs=1e-9)
    with pytest.raises(InvalidParameterError, match="labels"):
        ClusteredFacilityLocation(S, labels[:5])


def test_bad_inputs_name_the_parameter():
    S = np.eye(3)
    with pytest.raises(InvalidParameterError, match="query_similarity"):
        info.FacilityLocationMI(S, np.ones((2, 1)))
    with pytest.raises(InvalidParameterError, match="query_concepts"):
        info.SetCoverMI([[0], [1]], {5}, n_elements=2)
    with pytest.raises(InvalidParameterError, match="query_query_kernel"):
        info.LogDeterminantMI(S, np.ones((3, 2)), np.eye(3))
    with pytest.raises(InvalidParameterError, match="eta"):
        info.FacilityLocationMI(S, np.ones((3, 1)), eta=-1.0)


# --------------------------------------------------------------------------- submodlib


def _submodlib_pairs(SL, rng):
    n, q, p = 14, 3, 2
    X, Q, P = rng.normal(size=(n, 4)), rng.normal(size=(q, 4)), rng.normal(size=(p, 4))
    K = lambda A, B: kernel_matrix(A, B, kernel="rbf", gamma=0.3)  # noqa: E731
    S, SQ, SP, QQ, PP, QP = K(X, None), K(X, Q), K(X, P), K(Q, None), K(P, None), K(Q, P)
    sets = [set(rng.choice(10, size=3, replace=False).tolist()) for _ in range(n)]
    lists = [sorted(s) for s in sets]
    probs = rng.random((n, 10))
    qc, pc = {1, 3, 5}, {3, 7}
    eta, nu, lam = 0.7, 0.8, 1.0
    return n, [
        (LogDeterminant(S, regularization=0.5),
         SL.LogDeterminantFunction(n=n, mode="dense", lambdaVal=0.5, sijs=S)),
        (info.FacilityLocationMI(S, SQ, eta=eta), SL.FacilityLocationMutualInformationFunction(
            n=n, num_queries=q, data_sijs=S, query_sijs=SQ, magnificationEta=eta)),
        (info.FacilityLocationVMI(SQ, eta=eta), SL.FacilityLocationVariantMutualInformationFunction(
            n=n, num_queries=q, query_sijs=SQ, queryDiversityEta=eta)),
        (info.FacilityLocationCG(S, SP, nu=nu), SL.FacilityLocationConditionalGainFunction(
            n=n, num_privates=p, data_sijs=S, private_sijs=SP, privacyHardness=nu)),
        (info.FacilityLocationCMI(S, SQ, SP, eta=eta, nu=nu),
         SL.FacilityLocationConditionalMutualInformationFunction(
            n=n, num_queries=q, num_privates=p, data_sijs=S, query_sijs=SQ, private_sijs=SP,
            magnificationEta=eta, privacyHardness=nu)),
        (info.GraphCutMI(SQ), SL.GraphCutMutualInformationFunction(n=n, num_queries=q, query_sijs=SQ)),
        (info.GraphCutCG(S, SP, lam=0.4, nu=nu), SL.GraphCutConditionalGainFunction(
            n=n, num_privates=p, lambdaVal=0.4, data_sijs=S, private_sijs=SP, privacyHardness=nu)),
        (info.SetCoverMI(lists, qc, n_elements=10), SL.SetCoverMutualInformationFunction(
            n=n, cover_set=sets, num_concepts=10, query_concepts=qc)),
        (info.SetCoverCG(lists, pc, n_elements=10), SL.SetCoverConditionalGainFunction(
            n=n, cover_set=sets, num_concepts=10, private_concepts=pc)),
        (info.SetCoverCMI(lists, qc, pc, n_elements=10), SL.SetCoverConditionalMutualInformationFunction(
            n=n, cover_set=sets, num_concepts=10, query_concepts=qc, private_concepts=pc)),
        (info.ProbabilisticSetCoverMI(probs, qc), SL.ProbabilisticSetCoverMutualInformationFunction(
            n=n, probs=probs.tolist(), num_concepts=10, query_concepts=qc)),
        (info.ProbabilisticSetCoverCG(probs, pc), SL.ProbabilisticSetCoverConditionalGainFunction(
            n=n, probs=probs.tolist(), num_concepts=10, private_concepts=pc)),
        (info.ProbabilisticSetCoverCMI(probs, qc, pc),
         SL.ProbabilisticSetCoverConditionalMutualInformationFunction(
            n=n, probs=probs.tolist(), num_concepts=10, query_concepts=qc, private_concepts=pc)),
        (info.LogDeterminantMI(S, SQ, QQ, eta=eta, regularization=lam),
         SL.LogDeterminantMutualInformationFunction(
            n=n, num_queries=q, lambdaVal=lam, data_sijs=S, query_sijs=SQ, query_query_sijs=QQ,
            magnificationEta=eta)),
        (info.LogDeterminantCG(S, SP, PP, nu=nu, regularization=lam),
         SL.LogDeterminantConditionalGainFunction(
            n=n, num_privates=p, lambdaVal=lam, data_sijs=S, private_sijs=SP, private_private_sijs=PP,
            privacyHardness=nu)),
        (info.LogDeterminantCMI(S, SQ, QQ, SP, PP, QP, eta=eta, nu=nu, regularization=lam),
         SL.LogDeterminantConditionalMutualInformationFunction(
             n=n, num_queries=q, num_privates=p, lambdaVal=lam, data_sijs=S, query_sijs=SQ,
             query_query_sijs=QQ, private_sijs=SP, private_private_sijs=PP, query_private_sijs=QP,
             magnificationEta=eta, privacyHardness=nu)),
    ]


def test_values_match_submodlib_on_20_random_instances():
    SL = pytest.importorskip("submodlib", reason="submodlib-py (the reference library) is not installed")
    rng = np.random.default_rng(2026)
    for _ in range(20):
        n, pairs = _submodlib_pairs(SL, rng)
        for ours, theirs in pairs:
            for A in _subsets(rng, n, count=5):
                want = theirs.evaluate(set(A))
                assert ours.evaluate(A) == pytest.approx(want, rel=1e-5, abs=1e-5), type(ours).__name__


def test_greedy_selections_match_submodlib_on_digits():
    SL = pytest.importorskip("submodlib", reason="submodlib-py (the reference library) is not installed")
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_digits(return_X_y=True)
    X = X[:600] / 16.0
    y = y[:600]
    Q, P = X[y == 3][:4], X[y == 5][:4]
    K = lambda A, B=None: kernel_matrix(A, B, kernel="rbf", gamma=0.05)  # noqa: E731
    S, SQ, SP = K(X), K(X, Q), K(X, P)
    lin = X @ X.T / 8.0  # distinct diagonal: the first log-determinant gains are not all tied
    Z = X / np.linalg.norm(X, axis=1, keepdims=True)
    sets = [np.flatnonzero(row > 0.5) for row in X]
    cover = [set(c.tolist()) for c in sets]
    query, private = set(range(16, 40)), set(range(30, 36))
    cw = np.random.default_rng(1).uniform(1.0, 2.0, 64)  # distinct concept weights: no ties
    n, k = X.shape[0], 15
    pairs = [
        (LogDeterminant(lin), SL.LogDeterminantFunction(n=n, mode="dense", lambdaVal=1.0, sijs=lin)),
        (info.FacilityLocationMI(S, SQ), SL.FacilityLocationMutualInformationFunction(
            n=n, num_queries=4, data_sijs=S, query_sijs=SQ, magnificationEta=1.0)),
        (info.FacilityLocationCG(S, SP), SL.FacilityLocationConditionalGainFunction(
            n=n, num_privates=4, data_sijs=S, private_sijs=SP, privacyHardness=1.0)),
        (info.LogDeterminantMI(lin, X @ Q.T / 8.0, Q @ Q.T / 8.0), SL.LogDeterminantMutualInformationFunction(
            n=n, num_queries=4, lambdaVal=1.0, data_sijs=lin, query_sijs=X @ Q.T / 8.0,
            query_query_sijs=Q @ Q.T / 8.0, magnificationEta=1.0)),
        (info.FacilityLocationVMI(SQ), SL.FacilityLocationVariantMutualInformationFunction(
            n=n, num_queries=4, query_sijs=SQ, queryDiversityEta=1.0)),
        (info.FacilityLocationCMI(S, SQ, SP), SL.FacilityLocationConditionalMutualInformationFunction(
            n=n, num_queries=4, num_privates=4, data_sijs=S, query_sijs=SQ, private_sijs=SP,
            magnificationEta=1.0, privacyHardness=1.0)),
        (info.GraphCutMI(SQ), SL.GraphCutMutualInformationFunction(n=n, num_queries=4, query_sijs=SQ)),
        (info.GraphCutCG(S, SP, lam=0.2), SL.GraphCutConditionalGainFunction(
            n=n, num_privates=4, lambdaVal=0.2, data_sijs=S, private_sijs=SP, privacyHardness=1.0)),
        (info.LogDeterminantCG(lin, X @ P.T / 8.0, P @ P.T / 8.0), SL.LogDeterminantConditionalGainFunction(
            n=n, num_privates=4, lambdaVal=1.0, data_sijs=lin, private_sijs=X @ P.T / 8.0,
            private_private_sijs=P @ P.T / 8.0, privacyHardness=1.0)),
        (info.SetCoverMI(sets, query, weights=cw, n_elements=64), SL.SetCoverMutualInformationFunction(
            n=n, cover_set=cover, num_concepts=64, query_concepts=query, concept_weights=cw.tolist())),
        (info.ProbabilisticSetCoverCMI(X, query, private, weights=cw),
         SL.ProbabilisticSetCoverConditionalMutualInformationFunction(
            n=n, probs=X.tolist(), num_concepts=64, query_concepts=query, private_concepts=private,
            concept_weights=cw.tolist())),
        (ClusteredFacilityLocation(Z @ Z.T, y), SL.ClusteredFunction(
            n=n, f_name="FacilityLocation", data=X, mode="single", cluster_lab=y.tolist(), num_clusters=10,
            metric="cosine")),
    ]
    agreement = {}
    for ours, theirs in pairs:
        sol = sk.maximize(ours, k, algorithm="naive")
        if theirs is None:
            continue
        picked = theirs.maximize(budget=k, optimizer="NaiveGreedy", stopIfZeroGain=False,
                                 stopIfNegativeGain=False, verbose=False)
        # The same gain at every step, and the same pick at every step up to the first tie
        # (after a tie the two paths may differ: submodlib breaks ties towards the last index).
        np.testing.assert_allclose([g for _, g in picked], sol.gains, rtol=1e-4, atol=1e-4)
        theirs_sel, agreed = [j for j, _ in picked], 0
        for t in range(k):
            g = ours.gains(sol.selection[:t])
            g[sol.selection[:t]] = -np.inf
            top2 = np.sort(g)[-2:]
            if top2[1] - top2[0] <= 1e-6 * max(1.0, abs(top2[1])):
                break
            assert theirs_sel[t] == sol.selection[t], (type(ours).__name__, t)
            agreed += 1
        assert agreed >= 2, type(ours).__name__
        agreement[type(ours).__name__] = agreed
    assert sum(agreement.values()) >= 8 * k, agreement  # most picks are not ties


# --------------------------------------------------------------------------- selector


@pytest.mark.parametrize("objective", [o for o in sk.SubsetSelector.__module__ and
                                       __import__("submodkit.selector", fromlist=["OBJECTIVES"]).OBJECTIVES
                                       if o != "mixture"])
def test_selector_builds_every_objective_by_name(objective):
    rng = np.random.default_rng(0)
    X = rng.random((40, 6))
    y = np.arange(40) % 3
    Q, P = rng.random((3, 6)), rng.random((2, 6))
    sel = sk.SubsetSelector(5, objective=objective, metric="cosine", query_X=Q, private_X=P,
                            clusters=y).fit(X)
    obj = sel._objective(X.astype(float), None, y, 5)
    assert obj.name == objective or objective in ("coverage",)
    assert sel.solution_.value == pytest.approx(obj.evaluate(sel.ranking_), abs=1e-9)
    assert len(set(sel.ranking_.tolist())) == 5


def test_selector_needs_the_query_set_and_clusters():
    X = np.random.default_rng(0).random((10, 3))
    with pytest.raises(InvalidParameterError, match="query_X"):
        sk.SubsetSelector(3, objective="facility-location-mi").fit(X)
    with pytest.raises(InvalidParameterError, match="clusters"):
        sk.SubsetSelector(3, objective="clustered-facility-location").fit(X)
    with pytest.raises(InvalidParameterError, match="query_X"):
        sk.SubsetSelector(3, objective="facility-location-mi", query_X=np.ones((2, 4))).fit(X)


def test_conditioned_log_determinants_claim_only_what_holds():
    """A conditioned kernel that is not PSD (nu > 1, or kernels from no joint PSD kernel)
    gets neither flag, so no guarantee; an empty private set is the plain log-determinant."""
    assert not info.LogDeterminantCG([[1.0]], [[1.0]], [[1.0]], nu=2.0).monotone
    bad = info.LogDeterminantCG(np.eye(2), [[3.0], [0.0]], [[1.0]])
    assert not bad.submodular and not bad.monotone
    assert sk.maximize(bad, 1).guarantee is None
    L = kernel_matrix(np.random.default_rng(0).normal(size=(6, 2)), kernel="rbf", gamma=0.5)
    empty = info.LogDeterminantCG(L, np.zeros((6, 0)), np.zeros((0, 0)))
    assert empty.evaluate([0, 3]) == pytest.approx(LogDeterminant(L).evaluate([0, 3]))
    assert empty.monotone and empty.submodular
