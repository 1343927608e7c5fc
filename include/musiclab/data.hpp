// musiclab data: built-in synthetic data (see docs/data.md)
#pragma once

#include "data/synthetic.hpp"
