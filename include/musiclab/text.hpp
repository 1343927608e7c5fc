// musiclab text area: text analytics (TF-IDF, VADER sentiment).
#pragma once

#include "text/tfidf.hpp"
#include "text/vader.hpp"
