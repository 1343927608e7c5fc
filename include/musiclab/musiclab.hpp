// musiclab: everything. Include an area header (musiclab/io.hpp, ...) to compile less.
#pragma once

#include "core.hpp"
#include "data.hpp"
#include "io.hpp"
#include "preprocess.hpp"
