// The audio20k trustworthiness parity of tests/test_manifold_umap_audio.cpp for n_components 3
// (a separate executable keeps each under 30 s).
#define MUSICLAB_UMAP_AUDIO_NC 3
#include "test_manifold_umap_audio.cpp"
