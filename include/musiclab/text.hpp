// musiclab text area: text analytics (VADER sentiment).
#pragma once

#include "text/vader.hpp"
