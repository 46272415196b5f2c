/* libFuzzer target: any bytes as a configuration file: loaded or rejected with file:line
 * messages, never a crash or a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/bot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/bo-fuzz-config-XXXXXX";
	struct config cfg;
	struct buf err;
	int fd;

	fd = mkstemp(path);
	if (fd == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	buf_init(&err, 0);
	cfg_defaults(&cfg);
	if (cfg_load(&cfg, path, &err) == -1 && err.len == 0)
		abort();	/* a rejection always says why */
	cfg_free(&cfg);
	buf_release(&err);
	unlink(path);
	return 0;
}
