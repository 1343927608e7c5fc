// musiclab encode: target encoding of categorical columns (m-estimate and scikit-learn's
// smooth="auto" empirical Bayes), leak-free K-fold cross-fitting, and the sklearn-exact fold
// assignments it uses (docs/encode.md).
#pragma once

#include "encode/folds.hpp"
#include "encode/target_encoder.hpp"
