// doctest main for every musiclab test program: exits 77 (ctest "skipped") when a test case
// skipped itself because the shared data it needs is absent and nothing failed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "support.hpp"

#include <cstdio>

namespace musiclab::test {
std::vector<std::string>& skip_reasons() {
    static std::vector<std::string> reasons;
    return reasons;
}
}  // namespace musiclab::test

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int rc = context.run();
    if (context.shouldExit()) return rc;
    const auto& reasons = musiclab::test::skip_reasons();
    if (rc == 0 && !reasons.empty()) {
        for (const auto& r : reasons) std::printf("SKIPPED: %s\n", r.c_str());
        return 77;
    }
    return rc;
}
