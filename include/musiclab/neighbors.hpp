// musiclab neighbors area: exact k-nearest neighbours (k-d tree; neighbors/knn.hpp), approximate
// ones by NN-descent with random-projection-tree initialisation (neighbors/nn_descent.hpp); the
// k-d tree itself (also used by HDBSCAN) is neighbors/detail/kd_tree.hpp.
#pragma once

#include "neighbors/knn.hpp"
#include "neighbors/nn_descent.hpp"
