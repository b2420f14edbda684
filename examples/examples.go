// Package examples ships the example data with the binary, so `supportbot
// demo` has its customers and contracts wherever it runs.
package examples

import _ "embed"

// ContractsName is the example contracts' file name, for error messages.
const ContractsName = "examples/contracts.csv"

// Contracts is examples/contracts.csv: the example customers and contracts.
//
//go:embed contracts.csv
var Contracts []byte
