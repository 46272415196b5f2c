/*
 * testdb.h — a scratch directory for a unit test's files, most often one database:
 * testdb_setup makes "/tmp/bo-<name>-XXXXXX" and the path of the database inside it,
 * testdb_remove removes a database's file with its -wal and -shm, testdb_cleanup removes the
 * database and the directory. Header-only, like tap.h: each test is one C program.
 */
#ifndef TESTDB_H
#define TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char testdb_dir[64], testdb_path[128];

/* The path of name inside the scratch directory. */
static void __attribute__((unused))
testdb_file(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s/%s", testdb_dir, name);
}

/*
 * Makes the scratch directory for the test called name and, when file is not NULL, sets
 * testdb_path to file inside it; 0, or -1 after saying why on stderr.
 */
static int __attribute__((unused))
testdb_setup(const char *name, const char *file)
{
	snprintf(testdb_dir, sizeof(testdb_dir), "/tmp/bo-%s-XXXXXX", name);
	if (mkdtemp(testdb_dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	testdb_path[0] = '\0';
	if (file != NULL)
		testdb_file(testdb_path, sizeof(testdb_path), file);
	return 0;
}

/* Removes a database file and the -wal and -shm files SQLite may have left beside it. */
static void __attribute__((unused))
testdb_remove(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[192];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

/* Removes the database at testdb_path (if any) and the directory, which must then be empty. */
static void __attribute__((unused))
testdb_cleanup(void)
{
	char p[192];

	if (testdb_path[0] != '\0')
		testdb_remove(testdb_path);
	testdb_file(p, sizeof(p), "audit.key");
	unlink(p);
	testdb_file(p, sizeof(p), "audit.anchors");
	unlink(p);
	if (rmdir(testdb_dir) == -1)
		perror(testdb_dir);
}

#ifdef STORAGE_H
/*
 * Loads (or makes) the audit chain's key in the scratch directory for the database at path, as
 * every process does at start: without it audited writes are refused. 0, or -1 after saying why.
 */
static int __attribute__((unused))
testdb_audit_key(const char *path)
{
	char key[160], anchors[160], err[512];
	struct db *db;
	int rc = -1;

	testdb_file(key, sizeof(key), "audit.key");
	testdb_file(anchors, sizeof(anchors), "audit.anchors");
	if ((db = db_open(path, err, sizeof(err))) != NULL) {
		rc = audit_key_setup(db, key, anchors, err, sizeof(err));
		db_close(db);
	}
	if (rc == -1)
		printf("# audit key: %s\n", err);
	return rc;
}
#endif

#endif
