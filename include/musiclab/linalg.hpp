// musiclab linalg area: linear algebra on feature matrices (truncated SVD).
#pragma once

#include "linalg/truncated_svd.hpp"
