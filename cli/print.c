/*
 * print.c - values and arrays as text: numbers as NumPy prints them
 * (float16 included, hence the half-precision conversion, which args.c
 * and bench_cmd.c use to store values too), shapes, and the summary eval
 * prints of a result.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Rounds a double to IEEE half precision (nearest, ties to even). */
uint16_t print_half_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    uint16_t sign = (uint16_t)(b >> 48 & 0x8000);
    int exp = (int)(b >> 52 & 0x7ff);
    uint64_t mant = b & 0xfffffffffffffULL;
    if (exp == 0x7ff) /* inf, nan */
        return sign | 0x7c00 | (mant ? 0x200 : 0);
    if (exp == 0) /* zero or a double subnormal: far below half's range */
        return sign;
    int e = exp - 1023 + 15; /* half's biased exponent */
    if (e >= 31)
        return sign | 0x7c00;
    uint64_t m = mant | 1ULL << 52;
    int shift = e > 0 ? 42 : 43 - e; /* 53 bits down to 11, or fewer */
    if (shift > 63)
        return sign;
    uint64_t hm = m >> shift;
    uint64_t rem = m & ((1ULL << shift) - 1), halfway = 1ULL << (shift - 1);
    if (rem > halfway || (rem == halfway && (hm & 1)))
        hm++;
    if (e <= 0) /* subnormal; a carry into 0x400 is the smallest normal */
        return sign | (uint16_t)hm;
    return sign | (uint16_t)(((unsigned)(e - 1) << 10) + hm);
}

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, exp = h >> 10 & 0x1f, mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = ldexp(mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexp(mant | 0x400, exp - 25);
    return sign ? -v : v;
}

/* The shortest "%.Ng" that reads back as the same value of dtype t
 * (float16, float32 or float64), with ".0" added to integral values as
 * NumPy prints them. */
static void format_float(char *buf, size_t size, double v, jx_dtype t)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v < 0 ? "-inf" : "inf");
        return;
    }
    int maxp = t == JX_FLOAT16 ? 5 : t == JX_FLOAT32 ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, size, "%.*g", p, v);
        double back = strtod(buf, NULL);
        int same = t == JX_FLOAT16
                       ? print_half_bits(back) == print_half_bits(v)
                   : t == JX_FLOAT32 ? (float)back == (float)v
                                     : back == v;
        if (same)
            break;
    }
    if (strpbrk(buf, ".e") == NULL && strlen(buf) + 3 <= size)
        strcat(buf, ".0");
}

/* Formats the element at p. */
static void format_value(char *buf, size_t size, const void *p, jx_dtype t)
{
    switch (t) {
    case JX_BOOL:
        snprintf(buf, size, *(const unsigned char *)p ? "True" : "False");
        break;
    case JX_INT8:
        snprintf(buf, size, "%d", *(const int8_t *)p);
        break;
    case JX_INT16:
        snprintf(buf, size, "%d", *(const int16_t *)p);
        break;
    case JX_INT32:
        snprintf(buf, size, "%d", *(const int32_t *)p);
        break;
    case JX_INT64:
        snprintf(buf, size, "%lld", (long long)*(const int64_t *)p);
        break;
    case JX_UINT8:
        snprintf(buf, size, "%u", *(const uint8_t *)p);
        break;
    case JX_UINT16:
        snprintf(buf, size, "%u", *(const uint16_t *)p);
        break;
    case JX_UINT32:
        snprintf(buf, size, "%u", *(const uint32_t *)p);
        break;
    case JX_UINT64:
        snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case JX_FLOAT16:
        format_float(buf, size, half_to_double(*(const uint16_t *)p), t);
        break;
    case JX_FLOAT32:
        format_float(buf, size, *(const float *)p, t);
        break;
    case JX_FLOAT64:
        format_float(buf, size, *(const double *)p, t);
        break;
    case JX_COMPLEX64:
    case JX_COMPLEX128: {
        double re, im;
        jx_dtype part = t == JX_COMPLEX64 ? JX_FLOAT32 : JX_FLOAT64;
        if (t == JX_COMPLEX64) {
            re = ((const float *)p)[0];
            im = ((const float *)p)[1];
        } else {
            re = ((const double *)p)[0];
            im = ((const double *)p)[1];
        }
        char r[40], i[40];
        format_float(r, sizeof r, re, part);
        format_float(i, sizeof i, fabs(im), part);
        snprintf(buf, size, "(%s%s%sj)", r, signbit(im) ? "-" : "+", i);
        break;
    }
    default:
        snprintf(buf, size, "?");
    }
}

/* The element's value as a double (the real part of a complex). */
static double value_as_double(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_BOOL: return *(const unsigned char *)p != 0;
    case JX_INT8: return *(const int8_t *)p;
    case JX_INT16: return *(const int16_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    case JX_INT64: return (double)*(const int64_t *)p;
    case JX_UINT8: return *(const uint8_t *)p;
    case JX_UINT16: return *(const uint16_t *)p;
    case JX_UINT32: return *(const uint32_t *)p;
    case JX_UINT64: return (double)*(const uint64_t *)p;
    case JX_FLOAT16: return half_to_double(*(const uint16_t *)p);
    case JX_FLOAT32: return *(const float *)p;
    case JX_FLOAT64: return *(const double *)p;
    case JX_COMPLEX64: return ((const float *)p)[0];
    case JX_COMPLEX128: return ((const double *)p)[0];
    default: return NAN;
    }
}

static int64_t value_as_i64(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_INT8: return *(const int8_t *)p;
    case JX_INT16: return *(const int16_t *)p;
    case JX_INT32: return *(const int32_t *)p;
    default: return *(const int64_t *)p;
    }
}

static uint64_t value_as_u64(const void *p, jx_dtype t)
{
    switch (t) {
    case JX_UINT8: return *(const uint8_t *)p;
    case JX_UINT16: return *(const uint16_t *)p;
    case JX_UINT32: return *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}

/* ---- Walking an array ------------------------------------------------- */

int64_t print_size(const jx_array *a)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->shape[d];
    return n;
}

/* The address of the element with C-order flat index k. */
static const char *element_at(const jx_array *a, int64_t k)
{
    const char *p = a->data;
    for (int d = a->ndim - 1; d >= 0; d--) {
        p += (k % a->shape[d]) * a->strides[d];
        k /= a->shape[d];
    }
    return p;
}

/* Moves p to the next element in C order; idx is the N-D index. */
static const char *next_element(const jx_array *a, int64_t *idx, const char *p)
{
    for (int d = a->ndim - 1; d >= 0; d--) {
        p += a->strides[d];
        if (++idx[d] < a->shape[d])
            return p;
        p -= a->strides[d] * a->shape[d];
        idx[d] = 0;
    }
    return p;
}

void print_shape(FILE *f, const jx_array *a)
{
    fputc('(', f);
    for (int d = 0; d < a->ndim; d++)
        fprintf(f, "%s%lld", d ? ", " : "", (long long)a->shape[d]);
    fputs(a->ndim == 1 ? ",)" : ")", f);
}

/* Prints a small array nested as NumPy's repr does: [[1, 2], [3, 4]]. */
static void print_nested(FILE *f, const jx_array *a, int dim, const char *p)
{
    char buf[96];
    if (dim == a->ndim) {
        format_value(buf, sizeof buf, p, a->dtype);
        fputs(buf, f);
        return;
    }
    fputc('[', f);
    for (int64_t i = 0; i < a->shape[dim]; i++) {
        if (i > 0) {
            if (dim == a->ndim - 1)
                fputs(", ", f);
            else
                fprintf(f, ",\n%*s", dim + 1, "");
        }
        print_nested(f, a, dim + 1, p + i * a->strides[dim]);
    }
    fputc(']', f);
}

/* The summary eval prints: dtype, shape, then every value (at most 20),
 * else the first and last few and statistics. */
void print_summary(FILE *f, const jx_array *a)
{
    enum { ALL = 20, EDGE = 3 };
    int64_t n = print_size(a);
    fprintf(f, "dtype: %s\nshape: ", jx_dtype_name(a->dtype));
    print_shape(f, a);
    fputc('\n', f);
    if (n <= ALL) {
        print_nested(f, a, 0, a->data);
        fputc('\n', f);
        return;
    }
    char buf[96];
    fprintf(f, "values%s: [", a->ndim > 1 ? " (flattened, C order)" : "");
    for (int64_t k = 0; k < EDGE; k++) {
        format_value(buf, sizeof buf, element_at(a, k), a->dtype);
        fprintf(f, "%s, ", buf);
    }
    fputs("...", f);
    for (int64_t k = n - EDGE; k < n; k++) {
        format_value(buf, sizeof buf, element_at(a, k), a->dtype);
        fprintf(f, ", %s", buf);
    }
    fputs("]\n", f);

    /* One pass for the statistics. */
    int64_t idx[JX_MAX_DIMS] = {0};
    const char *p = a->data;
    jx_dtype t = a->dtype;
    int64_t imin = INT64_MAX, imax = INT64_MIN;
    uint64_t umin = UINT64_MAX, umax = 0;
    double dmin = INFINITY, dmax = -INFINITY;
    long double sum = 0, isum = 0;
    int64_t nans = 0, trues = 0;
    for (int64_t k = 0; k < n; k++, p = next_element(a, idx, p)) {
        if (t == JX_BOOL) {
            trues += *(const unsigned char *)p != 0;
        } else if (cli_is_signed_int(t)) {
            int64_t v = value_as_i64(p, t);
            imin = v < imin ? v : imin;
            imax = v > imax ? v : imax;
            sum += v;
        } else if (cli_is_unsigned_int(t)) {
            uint64_t v = value_as_u64(p, t);
            umin = v < umin ? v : umin;
            umax = v > umax ? v : umax;
            sum += v;
        } else if (cli_is_complex(t)) {
            double re = value_as_double(p, t);
            double im = t == JX_COMPLEX64 ? ((const float *)p)[1]
                                          : ((const double *)p)[1];
            if (isnan(re) || isnan(im)) {
                nans++;
                continue;
            }
            sum += re;
            isum += im;
        } else {
            double v = value_as_double(p, t);
            if (isnan(v)) {
                nans++;
                continue;
            }
            dmin = v < dmin ? v : dmin;
            dmax = v > dmax ? v : dmax;
            sum += v;
        }
    }
    int64_t counted = n - nans;
    if (t == JX_BOOL) {
        fprintf(f, "True: %lld of %lld (%.1f%%)\n", (long long)trues,
                (long long)n, 100.0 * (double)trues / (double)n);
    } else if (cli_is_signed_int(t)) {
        fprintf(f, "min: %lld  max: %lld  mean: %.6g\n", (long long)imin,
                (long long)imax, (double)(sum / n));
    } else if (cli_is_unsigned_int(t)) {
        fprintf(f, "min: %llu  max: %llu  mean: %.6g\n",
                (unsigned long long)umin, (unsigned long long)umax,
                (double)(sum / n));
    } else {
        char lo[48] = "nan", hi[48] = "nan", mean[96] = "nan";
        jx_dtype part = t == JX_COMPLEX64 ? JX_FLOAT32
                        : t == JX_COMPLEX128 ? JX_FLOAT64 : t;
        if (counted > 0) {
            if (cli_is_complex(t)) {
                snprintf(mean, sizeof mean, "(%.6g%+.6gj)",
                         (double)(sum / counted), (double)(isum / counted));
            } else {
                snprintf(mean, sizeof mean, "%.6g",
                         (double)(sum / counted));
                format_float(lo, sizeof lo, dmin, part);
                format_float(hi, sizeof hi, dmax, part);
            }
        }
        if (cli_is_complex(t))
            fprintf(f, "mean: %s", mean);
        else
            fprintf(f, "min: %s  max: %s  mean: %s", lo, hi, mean);
        fprintf(f, "  NaN: %lld%s\n", (long long)nans,
                nans ? " (left out of the other figures)" : "");
    }
}
