// musiclab recommend: exact top-K similarity search, implicit-feedback collaborative filtering
// (item-item cosine, ALS, popularity), hybrid blending and offline evaluation.
// See docs/recommendation.md.
#pragma once

#include "recommend/collaborative.hpp"
#include "recommend/evaluate.hpp"
#include "recommend/interactions.hpp"
#include "recommend/topk.hpp"
