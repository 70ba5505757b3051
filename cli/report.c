/*
 * report.c - the CLI's messages on stderr: usage and I/O errors, and an
 * expression's error drawn with a caret under the offending text.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* "jitexpr: <message>" on stderr, then `trailer`. */
static void vreport(const char *fmt, va_list ap, const char *trailer)
{
    fputs("jitexpr: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(trailer, stderr);
}

int report_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, "\nTry 'jitexpr help' for more information.\n");
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int report_io(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, "\n");
    va_end(ap);
    return CLI_EXIT_IO;
}

/* Writes one character of the source for display: control characters
 * become '?' so the caret line stays aligned. */
static void put_source_char(FILE *f, unsigned char ch)
{
    fputc(ch == '\t' || ch >= 0x20 ? ch : '?', f);
}

/* Prints the line of src holding the error, a caret line under the
 * offending span, then "error: <code name>: <message>".  Long lines are
 * shown as a window around the span. */
void report_error(const char *src, const jx_error *err)
{
    size_t len = src ? strlen(src) : 0;
    if (src != NULL && err->offset >= 0 && (size_t)err->offset <= len) {
        size_t off = (size_t)err->offset;
        size_t span = err->length > 0 ? (size_t)err->length : 0;
        size_t start = off, end = off;
        while (start > 0 && src[start - 1] != '\n')
            start--;
        while (end < len && src[end] != '\n')
            end++;
        if (span > end - off)
            span = end - off;
        /* A window of about 100 bytes around a long line's span. */
        enum { WIDTH = 100, BEFORE = 40 };
        size_t from = start, to = end;
        if (to - from > WIDTH) {
            if (off - from > BEFORE)
                from = off - BEFORE;
            while (from > start && ((unsigned char)src[from] & 0xc0) == 0x80)
                from--; /* not in the middle of a UTF-8 sequence */
            to = from + WIDTH > end ? end : from + WIDTH;
            if (to < off + span)
                to = off + span;
            while (to < end && ((unsigned char)src[to] & 0xc0) == 0x80)
                to++;
        }
        const char *pre = from > start ? "..." : "";
        fputs(pre, stderr);
        for (size_t i = from; i < to; i++)
            put_source_char(stderr, (unsigned char)src[i]);
        fputs(to < end ? "...\n" : "\n", stderr);
        fputs(*pre ? "   " : "", stderr);
        for (size_t i = from; i < off; i++) {
            unsigned char ch = (unsigned char)src[i];
            if ((ch & 0xc0) != 0x80) /* one column per character */
                fputc(ch == '\t' ? '\t' : ' ', stderr);
        }
        size_t carets = 0;
        for (size_t i = off; i < off + span; i++)
            if (((unsigned char)src[i] & 0xc0) != 0x80)
                carets++;
        if (carets == 0)
            carets = 1;
        for (size_t i = 0; i < carets; i++)
            fputc('^', stderr);
        fputc('\n', stderr);
    }
    /* "error: syntax error: ...", unless the message already says what
     * kind of error it is ("unknown function 'sinn' ..."). */
    const char *name = jx_code_name(err->code);
    if (strncmp(err->message, name, strlen(name)) == 0)
        fprintf(stderr, "error: %s\n", err->message);
    else
        fprintf(stderr, "error: %s: %s\n", name, err->message);
}
