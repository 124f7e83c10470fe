/* Output columns and per-row cell readers of the saliency materializer. */
#ifndef SIGMIX_SALIENCY_COLUMNS_H
#define SIGMIX_SALIENCY_COLUMNS_H

#include "sigmix/saliency.h"

enum { SAL_MAX_DIM = 32768 };

typedef struct sal_columns {
    long mean, var, model_id, aggregator, ema_alpha, status; /* -1: suppressed */
    int  mean_existed, var_existed;
} sal_columns;

/** Validate names and existing columns; changes nothing. */
int sigmix_sal_columns_check(const sigmix_table *t, const sigmix_saliency_settings *s,
                             sigmix_error *err);
/** Create or convert the output columns (after a successful check). */
int sigmix_sal_columns_prepare(sigmix_table *t, const sigmix_saliency_settings *s,
                               sal_columns *c);
int sigmix_sal_row_has_values(const sigmix_table *t, const sigmix_saliency_settings *s,
                              size_t row);
int sigmix_sal_cell_dim(const sigmix_table *t, long col, size_t row);
/**
 * The path text of a cell as a malloc'd NUL-terminated string: a STRING
 * cell, or a JSON-string cell of a mixed-type (JSON kind) column, unescaped.
 * NULL for anything else.
 */
char *sigmix_sal_cell_path(const sigmix_column *c, size_t row, size_t *len);

#endif
