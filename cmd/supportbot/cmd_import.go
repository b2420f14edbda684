package main

import (
	"context"
	"fmt"
	"os"

	"supportbot/store"
	"supportbot/store/importcsv"
)

func runImport(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("import", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: supportbot import [-config FILE] [-db FILE] FILE.csv")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args, 1); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := importFile(ctx, db, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: customers %d added, %d updated; contracts %d added, %d updated; phones %d added, %d removed\n",
		fs.Arg(0), sum.CustomersAdded, sum.CustomersUpdated, sum.ContractsAdded, sum.ContractsUpdated, sum.PhonesAdded, sum.PhonesRemoved)
	return nil
}

// importFile parses the whole file before touching the database, then applies
// it in one transaction: a bad row changes nothing.
func importFile(ctx context.Context, st store.Store, path string) (importcsv.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return importcsv.Summary{}, err
	}
	defer f.Close()
	batch, err := importcsv.Parse(path, f)
	if err != nil {
		return importcsv.Summary{}, err
	}
	return importcsv.Apply(ctx, st, batch)
}
