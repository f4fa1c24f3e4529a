// Command ferretdb runs FerretDB v1 on SQLite as an embedded library.
//
// Embedding (rather than `go install .../cmd/ferretdb`) avoids the missing version.txt panic of
// that build and lets us keep telemetry off: nothing here may call outside hosts. The FerretDB
// module is built with patches/ applied (tools/cli/src/hssk_cli/engines.py): lookups by _id, and
// {_id: {$in: [...]}}, use the _id index.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	_ "net/http/pprof" // served only with -debug-addr
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to serve the MongoDB wire protocol on")
	dir := flag.String("dir", "data/ferretdb", "directory for the SQLite database files")
	// WAL + synchronous=NORMAL survives process crashes; only a power cut can lose the last
	// commits. FULL fsyncs every commit and caps local writes near 100/s. Production runs MongoDB.
	sync := flag.String("sqlite-synchronous", "NORMAL", "SQLite synchronous pragma: FULL or NORMAL")
	// SQLite copies the write-ahead log back into the database every 1,000 pages by default;
	// batched writes to random _id keys rewrite many pages several times within a few thousand,
	// so copying less often copies (and fsyncs) less. The log is cut back to 64 MB afterwards.
	walPages := flag.Int("sqlite-wal-pages", 10000, "SQLite wal_autocheckpoint, in pages")
	walLimitMB := flag.Int("sqlite-wal-limit-mb", 64, "SQLite journal_size_limit, in MB")
	debugAddr := flag.String("debug-addr", "", "serve Go's pprof profiles on this address (off if empty)")
	// FerretDB converts every document to JSON and back, allocating as it goes, while keeping a
	// live heap of a few MB: with Go's default GOGC=100 the collector runs so often that it took
	// a quarter of FerretDB's CPU under a bulk import. Collect at 10x the live heap instead
	// (~80 MB resident), with a hard memory limit as the backstop.
	gcPercent := flag.Int("gc-percent", 1000, "Go GC target percentage (GOGC)")
	memLimitMB := flag.Int64("memory-limit-mb", 1024, "Go soft memory limit (GOMEMLIMIT), MB")
	flag.Parse()

	debug.SetGCPercent(*gcPercent)
	debug.SetMemoryLimit(*memLimitMB << 20)

	if *debugAddr != "" {
		go func() { fmt.Fprintln(os.Stderr, http.ListenAndServe(*debugAddr, nil)) }()
	}

	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: cannot create data dir %s: %v\n", *dir, err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  "sqlite",
		SQLiteURL: fmt.Sprintf(
			"file:%s/?_pragma=synchronous(%s)&_pragma=wal_autocheckpoint(%d)&_pragma=journal_size_limit(%d)",
			*dir, *sync, *walPages, *walLimitMB<<20,
		),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("ferretdb: serving MongoDB wire protocol on %s (sqlite in %s)\n", *listen, *dir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}
