"""The solvers, one subpackage per problem family, each shaped the same way: its
``__init__`` exports the public functions, the algorithms have a module each, ``exact.py``
is the family's reference optimum, and private ``_kernels`` modules hold the Numba code.

- :mod:`.submodular`: greedy, non-monotone, streaming, brute force, exact facility location;
- :mod:`.cover`: set cover, vertex cover, exact set cover and maximum coverage;
- :mod:`.diversity`: dispersion objectives, LP rounding, tours, exact;
- :mod:`.matching`: general matching, assignment, b-matching, online matching, exact;
- :mod:`.allocation`: online allocation, offline optimum, packing, welfare.
"""
