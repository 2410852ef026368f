/* TrustBox OE enclave libc: locale. Enclaves have the "C" locale only: setlocale accepts
 * "C", "POSIX" and "" (which is "C" here) and refuses any other name, as C allows. */
#ifndef OE_CORELIBC_LOCALE_H
#define OE_CORELIBC_LOCALE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LC_CTYPE 0
#define LC_NUMERIC 1
#define LC_TIME 2
#define LC_COLLATE 3
#define LC_MONETARY 4
#define LC_MESSAGES 5
#define LC_ALL 6

struct lconv {
	char *decimal_point, *thousands_sep, *grouping;
	char *int_curr_symbol, *currency_symbol, *mon_decimal_point, *mon_thousands_sep;
	char *mon_grouping, *positive_sign, *negative_sign;
	char int_frac_digits, frac_digits, p_cs_precedes, p_sep_by_space, n_cs_precedes;
	char n_sep_by_space, p_sign_posn, n_sign_posn, int_p_cs_precedes, int_p_sep_by_space;
	char int_n_cs_precedes, int_n_sep_by_space, int_p_sign_posn, int_n_sign_posn;
};

/* POSIX's locale object type; __locale_t is the name libstdc++'s "gnu" locale model uses. */
typedef struct __oe_locale *locale_t;
typedef locale_t __locale_t;

char *setlocale(int category, const char *locale);
struct lconv *localeconv(void);

#ifdef __cplusplus
}
#endif
#endif
