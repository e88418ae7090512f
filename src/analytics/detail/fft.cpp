#include "analytics/detail/fft.hpp"

#include <cmath>
#include <numbers>
#include <utility>

namespace pingan::analytics::detail {

std::size_t next_pow2(std::size_t n) {
    std::size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

Fft::Fft(std::size_t n) : n_(n), twiddle_(n / 2), reversed_(n) {
    for (std::size_t k = 0; k < n / 2; ++k) {
        const double a = -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
        twiddle_[k] = {std::cos(a), std::sin(a)};
    }
    int bits = 0;
    while ((std::size_t{1} << bits) < n)
        ++bits;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t r = 0;
        for (int b = 0; b < bits; ++b)
            r |= ((i >> b) & 1u) << (bits - 1 - b);
        reversed_[i] = r;
    }
}

void Fft::transform(std::complex<double>* data, bool inverse) const {
    for (std::size_t i = 0; i < n_; ++i) {
        if (i < reversed_[i]) std::swap(data[i], data[reversed_[i]]);
    }
    for (std::size_t len = 2; len <= n_; len <<= 1) {
        const std::size_t half = len / 2;
        const std::size_t step = n_ / len;
        for (std::size_t start = 0; start < n_; start += len) {
            for (std::size_t k = 0; k < half; ++k) {
                // Written out: std::complex's operator* checks for NaN and infinity (C99
                // Annex G) through a library call, which costs more than the arithmetic.
                const double wr = twiddle_[k * step].real();
                const double wi = inverse ? -twiddle_[k * step].imag() : twiddle_[k * step].imag();
                const std::complex<double> u = data[start + k];
                const std::complex<double> x = data[start + k + half];
                const std::complex<double> v{x.real() * wr - x.imag() * wi,
                                             x.real() * wi + x.imag() * wr};
                data[start + k] = u + v;
                data[start + k + half] = u - v;
            }
        }
    }
}

void Fft::inverse(std::complex<double>* data) const {
    transform(data, true);
    const double scale = 1.0 / static_cast<double>(n_);
    for (std::size_t i = 0; i < n_; ++i)
        data[i] *= scale;
}

} // namespace pingan::analytics::detail
