// A downstream program: includes everything and uses one thing from each area.
#include <musiclab/musiclab.hpp>

#include <cstdio>

int main() {
    musiclab::Rng rng(1);
    if (rng.below(10) >= 10) return 1;
    std::puts("consumer ok");
    return 0;
}
