/*
 * config.h — what the configuration's two files share, and nobody else includes:
 * config_keys.c (the table of keys) and config.c (the parser, the checks, the token).
 */
#ifndef BOT_CONFIG_H
#define BOT_CONFIG_H

#include <stddef.h>

#include "bot/bot.h"

#define F(field)	offsetof(struct config, field)
#define PATH_LEN	4096	/* longest path we accept */
#define URL_LEN		1024
#define TOKEN_LEN	256	/* Telegram tokens are about 46 bytes; leave room */
#define TOKEN_ENV	"BACKOFFICE_TELEGRAM_TOKEN"
#define CFG_KEYS_MAX	128	/* room for cfg_nkeys (config_keys.c asserts it) */

#endif
