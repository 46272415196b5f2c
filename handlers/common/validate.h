/*
 * validate.h — what the input checks share, and nobody else includes: validate.c (names,
 * counts, dates, slugs, the one-line form) and validate_contact.c (INN, phone, email), and
 * money.c's amounts, which fail the same way.
 */
#ifndef HANDLERS_VALIDATE_H
#define HANDLERS_VALIDATE_H

#include "handlers/handlers.h"

/* The Russian or the English literal; both arms are format-checked by the compiler. */
#define VALID_TR(lang, ru, en) ((lang) == LANG_EN ? (en) : (ru))

/* Fills err (never cutting a UTF-8 sequence) and returns -1, so checks can `return valid_fail()`. */
int	 valid_fail(char *, size_t, const char *, ...) PRINTFLIKE(3, 4);
/* The Russian noun form after a number: 1 цифра, 2 цифры, 5 цифр, 11 цифр, 21 цифра. */
const char *valid_plural_ru(size_t n, const char *one, const char *few, const char *many);
/* Spaces a person may type or paste: ASCII blanks, no-break space, thin spaces. */
int	 valid_is_space(long cp);
/* The bounds of s without surrounding ASCII whitespace. */
void	 valid_trim(const char *s, const char **start, size_t *len);

#endif
