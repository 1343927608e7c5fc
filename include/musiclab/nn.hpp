// musiclab nn area: Sentence-BERT inference (safetensors reader, BERT WordPiece tokenizer, BERT
// encoder with sentence-transformers pooling; loads a sentence-transformers model folder).
#pragma once

#include "nn/bert.hpp"
#include "nn/safetensors.hpp"
#include "nn/wordpiece.hpp"
