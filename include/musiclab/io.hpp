// musiclab io (see docs/io.md)
#pragma once

#include "io/table.hpp"
#include "io/csv.hpp"
