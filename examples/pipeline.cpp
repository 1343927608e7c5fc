#include <musiclab/musiclab.hpp>

#include <cstdio>

int main() {
    std::puts("musiclab pipeline");
    return 0;
}
