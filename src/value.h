/* value.h - the bits of one scalar value: a literal or constant of the
 * syntax tree (ast.h) and a constant of the IR (ir.h).  Its own header so
 * that the IR, which the JIT reads, does not need the syntax tree. */
#ifndef JX_VALUE_H
#define JX_VALUE_H

#include <stdint.h>

typedef union jx_value {
    uint64_t u;   /* bool, unsigned and the bits of a signed integer */
    int64_t i;    /* signed integers */
    double f;     /* floats (float16/32 values are held exactly) */
} jx_value;

#endif
