// musiclab manifold area: UMAP (manifold/umap.hpp).
#pragma once

#include "manifold/umap.hpp"
