// Package stacks knows orderflow's stacks: their names per stage, which template and
// parameters each takes, the order they deploy in (bootstrap, ingest, notifier) and the
// artifacts they need. It drives a [deploy.Deployer] and is what the mage deploy and
// destroy targets, and the tests against moto, call.
package stacks
