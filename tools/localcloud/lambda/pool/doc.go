// Package pool is localcloud's Lambda execution engine: it keeps the
// deployed functions' code unpacked in the data directory and runs their
// invocations on pools of execution environments (package runtime) with
// Lambda's scaling rules.
//
// An idle environment takes the next invocation (the most recently used
// first, so the warmest one stays warm); otherwise a new one starts (a cold
// start), up to the function's reserved concurrency (shared by all its
// versions, as on Lambda), or, for functions without a reservation, up to
// the account's unreserved share of MaxConcurrency. Invocations beyond the limit fail with a ThrottleError
// (Lambda's TooManyRequestsException), or, when the caller asks to Wait (an
// event source mapping's poller), queue in order until an environment is
// free. Environments idle for IdleTimeout on the injected clock are shut
// down. Figures expose per-function counts for benchmarks and scaling
// tests; Changed wakes whoever samples them.
package pool
