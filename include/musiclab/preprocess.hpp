// musiclab preprocess: scalers, one-hot encoding, feature hashing, release dates, train/test
// splits — scikit-learn 1.2 semantics where sklearn has the same tool (see docs/preprocess.md).
#pragma once

#include "preprocess/dates.hpp"
#include "preprocess/feature_hasher.hpp"
#include "preprocess/one_hot.hpp"
#include "preprocess/scalers.hpp"
#include "preprocess/split.hpp"
