// musiclab cluster area: density-based clustering (HDBSCAN) and its tree stages; the exact
// k-d tree lives in neighbors/detail/kd_tree.hpp.
#pragma once

#include "cluster/hdbscan.hpp"
#include "cluster/hierarchy.hpp"
