#include "analytics/kde.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "analytics/detail/fft.hpp"

namespace pingan::analytics {
namespace {

using Complex = std::complex<double>;

std::vector<double> kernel_1d(double sigma_cells, int radius) {
    std::vector<double> g(static_cast<std::size_t>(2 * radius + 1));
    for (int d = -radius; d <= radius; ++d)
        g[static_cast<std::size_t>(d + radius)] =
            std::exp(-0.5 * (d / sigma_cells) * (d / sigma_cells));
    return g;
}

// out[x] = Σ_d in[x + d] · g[d + R] along each row, zero outside the grid. Written as one axpy
// per kernel tap so that the inner loop runs over contiguous memory and vectorises; columns
// combine whole rows the same way (smooth_columns_direct).
void smooth_rows_direct(const std::vector<double>& in, std::vector<double>& out, int nx, int ny,
                        const std::vector<double>& g, int radius) {
    for (int y = 0; y < ny; ++y) {
        const double* src = in.data() + static_cast<std::size_t>(y) * nx;
        double* dst = out.data() + static_cast<std::size_t>(y) * nx;
        std::fill(dst, dst + nx, 0.0);
        for (int d = -radius; d <= radius; ++d) {
            const double w = g[static_cast<std::size_t>(d + radius)];
            const int lo = std::max(0, -d), hi = std::min(nx, nx - d);
            for (int x = lo; x < hi; ++x)
                dst[x] += w * src[x + d];
        }
    }
}

void smooth_columns_direct(const std::vector<double>& in, std::vector<double>& out, int nx, int ny,
                           const std::vector<double>& g, int radius) {
    for (int y = 0; y < ny; ++y) {
        double* dst = out.data() + static_cast<std::size_t>(y) * nx;
        std::fill(dst, dst + nx, 0.0);
        const int lo = std::max(-radius, -y), hi = std::min(radius, ny - 1 - y);
        for (int d = lo; d <= hi; ++d) {
            const double w = g[static_cast<std::size_t>(d + radius)];
            const double* src = in.data() + static_cast<std::size_t>(y + d) * nx;
            for (int x = 0; x < nx; ++x)
                dst[x] += w * src[x];
        }
    }
}

// Convolution of lines by FFT. Two real lines travel in one complex transform (one in the
// real part, one in the imaginary part): the kernel is real and symmetric, so the two results
// come back separated in the real and imaginary parts.
void smooth_fft(const std::vector<double>& in, std::vector<double>& out, int n, int lines,
                std::size_t elem_stride, std::size_t line_stride, const std::vector<double>& g,
                int radius) {
    const std::size_t size = detail::next_pow2(static_cast<std::size_t>(n + 2 * radius));
    const detail::Fft fft(size);
    // Kernel centred at index 0 (circularly), so the convolution needs no shift.
    std::vector<Complex> kernel(size, Complex{});
    for (int d = -radius; d <= radius; ++d) {
        const std::size_t at =
            d >= 0 ? static_cast<std::size_t>(d) : size - static_cast<std::size_t>(-d);
        kernel[at] += g[static_cast<std::size_t>(d + radius)];
    }
    fft.forward(kernel.data());
    std::vector<Complex> buf(size);
    for (int line = 0; line < lines; line += 2) {
        const bool pair = line + 1 < lines;
        std::fill(buf.begin(), buf.end(), Complex{});
        const std::size_t a = static_cast<std::size_t>(line) * line_stride;
        const std::size_t b = static_cast<std::size_t>(line + 1) * line_stride;
        for (int i = 0; i < n; ++i) {
            const double re = in[a + static_cast<std::size_t>(i) * elem_stride];
            const double im = pair ? in[b + static_cast<std::size_t>(i) * elem_stride] : 0.0;
            buf[static_cast<std::size_t>(i)] = {re, im};
        }
        fft.forward(buf.data());
        for (std::size_t k = 0; k < size; ++k) {
            const double kr = kernel[k].real(), ki = kernel[k].imag();
            const double br = buf[k].real(), bi = buf[k].imag();
            buf[k] = {br * kr - bi * ki, br * ki + bi * kr};
        }
        fft.inverse(buf.data());
        for (int i = 0; i < n; ++i) {
            out[a + static_cast<std::size_t>(i) * elem_stride] =
                buf[static_cast<std::size_t>(i)].real();
            if (pair)
                out[b + static_cast<std::size_t>(i) * elem_stride] =
                    buf[static_cast<std::size_t>(i)].imag();
        }
    }
}

} // namespace

std::vector<double> linear_binning(const GridSpec& grid, std::span<const PointM> points,
                                   std::size_t* outside) {
    std::vector<double> mass(grid.cells(), 0.0);
    std::size_t out = 0;
    const double inv = 1.0 / grid.cell_m;
    for (const PointM& p : points) {
        // Coordinates in cells, with cell centres at integers.
        double u = (p.x - grid.x0_m) * inv - 0.5;
        double v = (p.y - grid.y0_m) * inv - 0.5;
        if (!(u >= -0.5 && v >= -0.5 && u <= grid.nx - 0.5 && v <= grid.ny - 0.5)) {
            ++out;
            continue;
        }
        u = std::clamp(u, 0.0, static_cast<double>(grid.nx - 1));
        v = std::clamp(v, 0.0, static_cast<double>(grid.ny - 1));
        const int iu = std::min(static_cast<int>(u), grid.nx - 1);
        const int iv = std::min(static_cast<int>(v), grid.ny - 1);
        const double fu = u - iu, fv = v - iv;
        const int iu1 = std::min(iu + 1, grid.nx - 1), iv1 = std::min(iv + 1, grid.ny - 1);
        mass[grid.index(iu, iv)] += (1 - fu) * (1 - fv);
        mass[grid.index(iu1, iv)] += fu * (1 - fv);
        mass[grid.index(iu, iv1)] += (1 - fu) * fv;
        mass[grid.index(iu1, iv1)] += fu * fv;
    }
    if (outside != nullptr) *outside = out;
    return mass;
}

std::vector<double> gaussian_smooth(std::span<const double> mass, int nx, int ny,
                                    double sigma_cells, double cutoff_sigmas, int fft_min_radius) {
    const int reach = std::max(nx, ny);
    const int radius =
        std::min(reach, std::max(1, static_cast<int>(std::ceil(cutoff_sigmas * sigma_cells))));
    const std::vector<double> g = kernel_1d(sigma_cells, radius);
    std::vector<double> in(mass.begin(), mass.end());
    std::vector<double> tmp(in.size());
    std::vector<double> out(in.size());
    if (radius < fft_min_radius) {
        smooth_rows_direct(in, tmp, nx, ny, g, radius);
        smooth_columns_direct(tmp, out, nx, ny, g, radius);
    } else {
        smooth_fft(in, tmp, nx, ny, 1, static_cast<std::size_t>(nx), g, radius);
        smooth_fft(tmp, out, ny, nx, static_cast<std::size_t>(nx), 1, g, radius);
    }
    return out;
}

KdeResult kde(const GridSpec& grid, std::span<const PointM> points, const KdeParams& params) {
    KdeResult r;
    r.grid = grid;
    r.params = params;
    const std::vector<double> mass = linear_binning(grid, points, &r.points_outside);
    for (double m : mass)
        r.binned_mass += m;
    const double sigma_cells = params.bandwidth_m / grid.cell_m;
    r.density_per_km2 = gaussian_smooth(mass, grid.nx, grid.ny, sigma_cells, params.cutoff_sigmas,
                                        params.fft_min_radius);
    // K_h normalisation: 1 / (2π h²) per m², times 1e6 m² per km².
    const double norm = 1e6 / (2 * std::numbers::pi * params.bandwidth_m * params.bandwidth_m);
    for (double& d : r.density_per_km2) {
        d = std::max(0.0, d * norm); // the FFT leaves rounding noise of either sign near zero
        r.max_density_per_km2 = std::max(r.max_density_per_km2, d);
    }
    return r;
}

} // namespace pingan::analytics
