"""
Verifying the guarantees
========================

:func:`submodkit.run_suite` runs a family of algorithms on random and tight instances and
compares each run with the exact optimum (OR-Tools); the plot shows each measured ratio
next to the guarantee it must meet (red). Here the greedy family, one seed.
"""

import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

from submodkit import run_suite

report = run_suite("greedy", seeds=[0], progress=False)
print(report)
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "greedy.png"
    report.plot("greedy", path)
    image = mpimg.imread(path)
fig, ax = plt.subplots(figsize=(8, 5))
ax.imshow(image)
ax.axis("off")
fig.tight_layout()
