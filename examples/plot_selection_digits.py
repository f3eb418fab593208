"""
Choosing representative training images
=======================================

:class:`~submodkit.SubsetSelector` picks 50 of scikit-learn's 1,797 handwritten digits by
facility location (every image close to a chosen one); a classifier trained on them is
compared with one trained on 50 images drawn at random, over 10 draws.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from submodkit import SubsetSelector

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.5, random_state=0)

selector = SubsetSelector(50, n_neighbors=30, random_state=0)
X_sel, y_sel = selector.select(X_train, y_train)
chosen = LogisticRegression(max_iter=2000).fit(X_sel, y_sel).score(X_test, y_test)

rng = np.random.default_rng(0)
random_scores = []
for _ in range(10):
    pick = rng.choice(len(X_train), 50, replace=False)
    model = LogisticRegression(max_iter=2000).fit(X_train[pick], y_train[pick])
    random_scores.append(model.score(X_test, y_test))
print(f"facility location: {chosen:.3f}; random (mean of 10): {np.mean(random_scores):.3f}")
print(f"certified: {selector.solution_.certified_ratio:.3f} of the optimum at least")

fig, axes = plt.subplots(5, 10, figsize=(8, 4.2))
for ax, image, label in zip(axes.ravel(), X_sel, y_sel, strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label), fontsize=8)
    ax.axis("off")
fig.suptitle(f"50 chosen digits: accuracy {chosen:.3f} vs {np.mean(random_scores):.3f} at random")
fig.tight_layout()
