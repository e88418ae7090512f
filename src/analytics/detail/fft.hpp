// Radix-2 complex FFT for kernel-density convolutions with wide kernels. In-place, iterative
// (Cooley-Tukey), twiddles computed once per size. Not a general-purpose FFT library: sizes are
// powers of two, and only what convolution needs is here.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

namespace pingan::analytics::detail {

class Fft {
public:
    explicit Fft(std::size_t n); // n: a power of two >= 1
    std::size_t size() const { return n_; }
    void forward(std::complex<double>* data) const { transform(data, false); }
    // Inverse transform, scaled by 1/n (so inverse(forward(x)) == x).
    void inverse(std::complex<double>* data) const;

private:
    void transform(std::complex<double>* data, bool inverse) const;

    std::size_t n_;
    std::vector<std::complex<double>> twiddle_; // exp(-2πik/n), k < n/2
    std::vector<std::size_t> reversed_;         // bit-reversal permutation
};

// Smallest power of two >= n.
std::size_t next_pow2(std::size_t n);

} // namespace pingan::analytics::detail
