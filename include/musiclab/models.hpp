// musiclab models area: the popularity model zoo (linear models, kNN, forests, AdaBoost, boosted trees, MLP)
// behind one Regressor concept, with scikit-learn's cross-validation, randomized search and
// permutation importance (docs/models.md).
#pragma once

#include "models/boosting.hpp"
#include "models/estimator.hpp"
#include "models/forest.hpp"
#include "models/inspection.hpp"
#include "models/knn.hpp"
#include "models/linear.hpp"
#include "models/mlp.hpp"
#include "models/model_selection.hpp"
#include "models/scaled.hpp"
