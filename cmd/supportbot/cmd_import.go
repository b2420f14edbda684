package main

import (
	"context"
	"fmt"
	"os"

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
	// The file is read and checked whole before the database is touched,
	// so a missing or bad file creates nothing.
	batch, err := parseImport(fs.Arg(0))
	if err != nil {
		return err
	}
	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := importcsv.Apply(ctx, db, batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: customers %d added, %d updated; contracts %d added, %d updated; phones %d added, %d removed\n",
		fs.Arg(0), sum.CustomersAdded, sum.CustomersUpdated, sum.ContractsAdded, sum.ContractsUpdated, sum.PhonesAdded, sum.PhonesRemoved)
	return nil
}

// parseImport reads and checks a whole CSV file.
func parseImport(path string) (importcsv.Batch, error) {
	f, err := os.Open(path)
	if err != nil {
		return importcsv.Batch{}, err
	}
	defer f.Close()
	return importcsv.Parse(path, f)
}
