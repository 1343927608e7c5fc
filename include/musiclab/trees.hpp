// musiclab trees area: histogram gradient-boosted trees with TreeSHAP and JSON persistence.
#pragma once

#include "trees/gbt.hpp"
