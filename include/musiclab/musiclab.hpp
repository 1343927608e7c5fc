// musiclab: everything. Include an area header (musiclab/io.hpp, ...) to compile less.
#pragma once

#include "cluster.hpp"
#include "core.hpp"
#include "data.hpp"
#include "encode.hpp"
#include "io.hpp"
#include "linalg.hpp"
#include "manifold.hpp"
#include "metrics.hpp"
#include "models.hpp"
#include "neighbors.hpp"
#include "nn.hpp"
#include "preprocess.hpp"
#include "recommend.hpp"
#include "report.hpp"
#include "text.hpp"
#include "trees.hpp"
