package main

// FerretDB v1.24.2 (SQLite backend) builds each collection's unique _id index on the expression
// _ferretdb_sjson->"_id" but filters by _ferretdb_sjson->'$._id'. SQLite only uses an
// expression index for the identical expression, so every lookup by _id scans the whole table.
// This loop gives every collection table an index on exactly the expression the queries use.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the same pure-Go driver FerretDB itself uses
)

const idPath = `_ferretdb_sjson->'$._id'`

func indexIDPaths(ctx context.Context, dir string, every time.Duration) {
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file); err != nil {
				fmt.Fprintf(os.Stderr, "ferretdb: _id index for %s: %v\n", file, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func indexFile(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	// Tables without our index yet (a dropped and re-created collection loses it with its table).
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name || '_hssk_id_path' NOT IN (SELECT name FROM sqlite_master WHERE type = 'index')`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && !strings.HasPrefix(name, "_ferretdb") &&
			!strings.HasPrefix(name, "sqlite") {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+"_hssk_id_path", table, idPath)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
