// musiclab report area: self-contained HTML reports (tables, plotly.js charts) of an analysis.
#pragma once

#include "report/html.hpp"
