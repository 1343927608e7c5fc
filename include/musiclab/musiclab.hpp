// musiclab: everything. Include an area header (musiclab/io.hpp, ...) to compile less.
#pragma once

#include "core.hpp"
#include "data.hpp"
#include "encode.hpp"
#include "io.hpp"
#include "metrics.hpp"
#include "preprocess.hpp"
#include "text.hpp"
