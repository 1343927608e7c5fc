// musiclab metrics: regression (R², MSE, RMSE, MAE), ranking (Precision/Recall/HitRate/MRR/AP/NDCG
// at K with an explicit no-relevant-item policy), clustering (adjusted Rand index) and embedding
// (trustworthiness) — scikit-learn 1.2 definitions where sklearn has the metric (docs/metrics.md).
#pragma once

#include "metrics/clustering.hpp"
#include "metrics/embedding.hpp"
#include "metrics/ranking.hpp"
#include "metrics/regression.hpp"
