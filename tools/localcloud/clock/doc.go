// Package clock provides the time source localcloud services use: a real
// clock for the server and a manual clock that tests advance by hand, so that
// visibility timeouts, delays, retention and retries can be tested in
// milliseconds without sleeping.
package clock
