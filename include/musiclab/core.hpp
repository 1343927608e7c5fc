// musiclab core: errors, the parallel primitive, deterministic random numbers.
#pragma once

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
