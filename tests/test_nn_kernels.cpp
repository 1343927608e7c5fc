// Tests of musiclab/nn/detail/kernels.hpp: the float erf against std::erf on a dense grid of
// [-6, 6] and every float near its branch points; exp on [-100, 0]; the packed GEMM against a double-precision product for odd sizes
// (rows not a multiple of the tile, outputs not a multiple of the panel, K over one k block) on
// every ISA the CPU has, bit-identical across ISAs, thread counts and row subsets.
#include <doctest/doctest.h>
#include <musiclab/core/random.hpp>
#include <musiclab/nn/detail/kernels.hpp>

#include <array>
#include <cmath>
#include <vector>

namespace dn = musiclab::detail::nn;
using musiclab::nn::KernelIsa;

namespace {

std::vector<KernelIsa> available_isas() {
    std::vector<KernelIsa> out{KernelIsa::generic};
    if (dn::cpu_has_avx2()) out.push_back(KernelIsa::avx2);
    if (dn::cpu_has_avx512()) out.push_back(KernelIsa::avx512);
    return out;
}

}  // namespace

TEST_CASE("kernels: erf within 1.5e-7 of std::erf over [-6, 6], GELU") {
    for (KernelIsa isa : available_isas()) {
        // the vectorised loop as the encoder runs it
        // a 4-million-point grid over [-6, 6], every float within 20,000 ulp of the branch
        // points ±1 and ±4, and tiny arguments
        std::vector<float> xs;
        for (int i = 0; i <= 4'000'000; ++i) xs.push_back(-6.0f + 12.0f * static_cast<float>(i) / 4e6f);
        for (float c : {-4.0f, -1.0f, 1.0f, 4.0f}) {
            float x = c;
            for (int k = 0; k < 20000; ++k) x = std::nextafter(x, -10.0f);
            for (int k = 0; k < 40000; ++k, x = std::nextafter(x, 10.0f)) xs.push_back(x);
        }
        for (float x = 1e-30f; x < 1e-3f; x *= 1.01f) {
            xs.push_back(x);
            xs.push_back(-x);
        }
        std::vector<float> ys(xs.size());
        dn::run_with(isa, [&] {
            for (std::size_t i = 0; i < xs.size(); ++i) ys[i] = dn::erf(xs[i]);
        });
        double worst = 0.0;
        for (std::size_t i = 0; i < xs.size(); ++i) worst = std::max(worst, std::abs(double(ys[i]) - std::erf(double(xs[i]))));
        MESSAGE("isa " << int(isa) << ": " << xs.size() << " floats, max abs erf error " << worst);
        CHECK(worst <= 1.5e-7);  // ~2.5 ulp at 0.84; float eps is 6e-8
        CHECK(dn::erf(100.0f) == 1.0f);
        CHECK(dn::erf(-100.0f) == -1.0f);
        CHECK(dn::erf(0.0f) == 0.0f);
        // GELU = x Φ(x)
        std::vector<float> g = {-3.0f, -1.0f, 0.0f, 0.5f, 2.0f};
        const std::vector<float> in = g;
        dn::run_with(isa, [&] { dn::gelu_inplace(g.data(), g.size()); });
        for (std::size_t i = 0; i < g.size(); ++i) {
            const double x = in[i], ref = 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
            CHECK(std::abs(g[i] - ref) <= 2e-7);
        }
    }
}

TEST_CASE("kernels: exp of non-positive arguments") {
    double worst = 0.0;
    for (float y = -87.0f; y <= 0.0f; y += 0.00137f) {
        const double ref = std::exp(double(y));
        worst = std::max(worst, std::abs(dn::exp_nonpositive(y) - ref) / ref);
    }
    MESSAGE("max relative exp error " << worst);
    CHECK(worst <= 3e-7);
    CHECK(dn::exp_nonpositive(0.0f) == 1.0f);
    CHECK(dn::exp_nonpositive(-1000.0f) < 1e-37f);
}

TEST_CASE("kernels: packed GEMM equals the product, bit-identical across ISAs, threads and rows") {
    musiclab::Rng rng(7);
    const std::vector<std::array<std::size_t, 3>> shapes = {{1, 5, 3}, {13, 32, 32}, {29, 100, 70}, {47, 800, 96}};
    for (const auto& [rows, in, out] : shapes) {
        std::vector<float> W(out * in), b(out), A(rows * in);
        for (auto& v : W) v = static_cast<float>(rng.uniform() * 2 - 1);
        for (auto& v : b) v = static_cast<float>(rng.uniform() * 2 - 1);
        for (auto& v : A) v = static_cast<float>(rng.uniform() * 2 - 1);
        dn::PackedLinear P;
        P.pack(W.data(), b.data(), out, in);
        const std::size_t ldc = P.padded_out();
        std::vector<float> first;
        for (KernelIsa isa : available_isas()) {
            for (int threads : {1, 2, 3}) {
                std::vector<float> C(rows * ldc, -1.0f);
                dn::gemm(isa, threads, A.data(), in, rows, P, C.data(), ldc, [](std::size_t, std::size_t, std::size_t, std::size_t) {});
                double worst = 0.0;
                for (std::size_t r = 0; r < rows; ++r)
                    for (std::size_t o = 0; o < out; ++o) {
                        double ref = b[o];
                        for (std::size_t k = 0; k < in; ++k) ref += double(A[r * in + k]) * W[o * in + k];
                        worst = std::max(worst, std::abs(C[r * ldc + o] - ref));
                        CHECK(C[r * ldc + o] == C[r * ldc + o]);
                    }
                CHECK(worst <= 1e-5 * std::sqrt(double(in)));  // float accumulation of `in` products of size <= 1
                std::vector<float> valid;
                for (std::size_t r = 0; r < rows; ++r)
                    for (std::size_t o = 0; o < out; ++o) valid.push_back(C[r * ldc + o]);
                if (first.empty()) first = valid;
                else CHECK(valid == first);  // same FMA chain on every ISA and split
            }
        }
        // the last row alone gives the same values as within the block
        if (rows > 1) {
            std::vector<float> C(ldc);
            dn::gemm(dn::resolve_isa(KernelIsa::automatic), 1, A.data() + (rows - 1) * in, in, 1, P, C.data(), ldc,
                     [](std::size_t, std::size_t, std::size_t, std::size_t) {});
            for (std::size_t o = 0; o < out; ++o) CHECK(C[o] == first[(rows - 1) * out + o]);
        }
    }
}

TEST_CASE("kernels: layer norm") {
    const std::vector<float> x = {1, 2, 3, 4}, res = {0, 0, 0, 1}, g = {1, 1, 2, 1}, b = {0, 0, 0, 0.5f};
    std::vector<float> tmp(4), out(4);
    dn::layer_norm(x.data(), res.data(), 4, g.data(), b.data(), 0.0f, tmp.data(), out.data());
    // x + res = 1 2 3 5: mean 2.75, variance 2.1875
    const double s = std::sqrt(2.1875);
    CHECK(out[0] == doctest::Approx((1 - 2.75) / s).epsilon(1e-6));
    CHECK(out[2] == doctest::Approx(2 * (3 - 2.75) / s).epsilon(1e-6));
    CHECK(out[3] == doctest::Approx((5 - 2.75) / s + 0.5).epsilon(1e-6));
}

TEST_CASE("kernels: attention of one head equals softmax(Q K^T / sqrt(d)) V") {
    musiclab::Rng rng(11);
    for (std::size_t hd : {std::size_t{8}, std::size_t{32}, std::size_t{64}}) {
        for (std::size_t len : {std::size_t{1}, std::size_t{5}, std::size_t{16}, std::size_t{33}, std::size_t{70}}) {
            const std::size_t ld = 3 * hd + 7;  // Q, K, V side by side plus some padding
            std::vector<float> qkv(len * ld);
            for (auto& x : qkv) x = static_cast<float>(rng.normal());
            std::vector<double> ref(len * hd);
            for (std::size_t i = 0; i < len; ++i) {
                std::vector<double> s(len);
                double mx = -1e300;
                for (std::size_t j = 0; j < len; ++j) {
                    double dot = 0;
                    for (std::size_t d = 0; d < hd; ++d) dot += double(qkv[i * ld + d]) * qkv[j * ld + hd + d];
                    s[j] = dot / std::sqrt(double(hd));
                    mx = std::max(mx, s[j]);
                }
                double sum = 0;
                for (auto& x : s) sum += (x = std::exp(x - mx));
                for (std::size_t d = 0; d < hd; ++d) {
                    double o = 0;
                    for (std::size_t j = 0; j < len; ++j) o += s[j] / sum * qkv[j * ld + 2 * hd + d];
                    ref[i * hd + d] = o;
                }
            }
            std::vector<float> first;
            for (KernelIsa isa : available_isas()) {
                std::vector<float> scratch(dn::attention_scratch_floats(len, hd));
                std::vector<float> out(len * hd + 5, 123.0f);
                dn::run_with(isa, [&] {
                    dn::attention_head(isa, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, ld, len, hd, out.data(), hd,
                                       scratch.data());
                });
                double worst = 0;
                for (std::size_t i = 0; i < len * hd; ++i) worst = std::max(worst, std::abs(out[i] - ref[i]));
                CHECK_MESSAGE(worst < 2e-6, "hd " << hd << " len " << len << " isa " << int(isa) << ": " << worst);
                CHECK(out[len * hd] == 123.0f);  // nothing written past the output
            }
        }
    }
}
