package jobs

// PruneStretch is pruneStretch, for the tests of package jobs_test.
const PruneStretch = pruneStretch
